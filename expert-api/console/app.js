// The console's shell: session, role-aware navigation and a hash router.
// What a role sees follows GET /api/v1/session; every action is still
// decided by its API route, which the page never second-guesses.
import { api, token, ApiProblem } from './api.js';
import { h, put, field, status, clearErrors, checkRequired } from './dom.js';
import { t, lang, setLang } from './i18n.js';
import * as operator from './operator.js';
import * as supervisor from './supervisor.js';
import * as pub from './public.js';
import * as regulator from './regulator.js';
import * as experts from './experts.js';

/** What each role may do, as the API's access rules give it (the route ×
 * role matrix in tests/src/routes.rs). */
function capabilities(role) {
  const any = role !== null;
  return {
    pool: any,
    draws: ['admin', 'operator', 'supervisor'].includes(role),
    request: ['admin', 'operator'].includes(role),
    admit: ['admin', 'regulator'].includes(role),
    audit: ['admin', 'supervisor'].includes(role),
    sealed: ['admin', 'supervisor'].includes(role),
    cases: ['admin', 'supervisor', 'regulator'].includes(role),
    oversight: ['admin', 'supervisor', 'regulator'].includes(role),
    checkpoint: any,
  };
}

const ctx = { session: null, caps: capabilities(null) };

const pages = [
  { hash: '#/pool', nav: 'pool', allowed: (c) => c.pool, run: operator.pool },
  { hash: '#/draws', nav: 'draws', allowed: (c) => c.draws, run: operator.draws },
  { hash: '#/draws/new', nav: 'newDraw', allowed: (c) => c.request, run: operator.newDraw },
  { hash: '#/import', nav: 'import', allowed: (c) => c.request, run: operator.importRoster },
  { hash: '#/experts/new', nav: 'addExpert', allowed: (c) => c.request, run: experts.addExpert },
  { hash: '#/admissions', nav: 'admissions', allowed: (c) => c.admit, run: (m, c) => operator.pool(m, c, 'applicant') },
  { hash: '#/experts/', prefix: true, allowed: (c) => c.pool, run: experts.expertDetail },
  { hash: '#/record/', prefix: true, allowed: (c) => c.draws, run: operator.record },
  { hash: '#/cases', nav: 'cases', allowed: (c) => c.cases, run: regulator.cases },
  { hash: '#/cases/', prefix: true, allowed: (c) => c.cases, run: regulator.caseDetail },
  { hash: '#/draws/', prefix: true, allowed: (c) => c.draws, run: operator.drawDetail },
  { hash: '#/audit', nav: 'audit', allowed: (c) => c.audit, run: supervisor.audit },
  { hash: '#/checkpoint', nav: 'checkpoint', allowed: (c) => c.checkpoint, run: supervisor.checkpoint },
  { hash: '#/oversight', nav: 'oversight', allowed: (c) => c.oversight, run: supervisor.oversight },
  { hash: '#/replay', nav: 'replay', allowed: (c) => c.audit, run: supervisor.replayPage },
  { hash: '#/replay/', prefix: true, allowed: (c) => c.audit, run: supervisor.replayPage },
  { hash: '#/public', nav: 'public', allowed: () => true, run: pub.projects },
  { hash: '#/public/', prefix: true, allowed: () => true, run: pub.project },
  { hash: '#/panel-check', nav: 'panelCheck', allowed: () => true, run: pub.panelCheck },
  { hash: '#/penalties', nav: 'penalties', allowed: () => true, run: pub.penalties },
  { hash: '#/respond/', prefix: true, allowed: () => true, run: pub.respond },
  { hash: '#/signin', nav: 'signIn', allowed: (c) => !c.pool, run: signInPage },
];

/** Where a role starts: its daily work. */
function home() {
  if (ctx.caps.draws) return '#/draws';
  return ctx.session?.role === 'regulator' ? '#/cases' : '#/pool';
}

function findPage(hash) {
  return pages.find((p) => !p.prefix && p.hash === hash)
    ?? pages.find((p) => p.prefix && hash.startsWith(p.hash) && hash.length > p.hash.length);
}

function chrome() {
  document.documentElement.lang = lang;
  document.title = t('title');
  document.getElementById('app-title').textContent = t('title');
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('tz-note').textContent = t('tzNote');
  const langButton = document.getElementById('lang');
  langButton.textContent = t('switchLang');
  langButton.lang = lang === 'en' ? 'zh-CN' : 'en';
  const out = document.getElementById('sign-out');
  out.textContent = t('signOut');
  out.hidden = ctx.session === null;
  const s = ctx.session;
  document.getElementById('who').textContent = s
    ? t('signedInAs', { role: t(`roles.${s.role}`), region: s.region ? ` @ ${s.region}` : '' })
    : '';
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('navLabel'));
  const here = location.hash || '';
  put(nav, h('ul', {}, pages.filter((p) => p.nav && p.allowed(ctx.caps)).map((p) => h('li', {},
    h('a', { href: p.hash, 'aria-current': here === p.hash ? 'page' : null }, t(`nav.${p.nav}`))))));
}

async function route() {
  const main = document.getElementById('main');
  let hash = location.hash || '';
  let page = findPage(hash);
  if (!page || !page.allowed(ctx.caps)) {
    if (page && !ctx.session) {
      hash = '#/signin';
    } else if (page) {
      chrome();
      put(main, status('bad', t('notAllowed')));
      return;
    } else {
      // Staff start at their work; without a token, at the sign-in (the
      // public pages are one link away).
      hash = ctx.session ? home() : '#/signin';
    }
    history.replaceState(null, '', hash);
    page = findPage(hash);
  }
  chrome();
  // Each navigation renders into its own container: a page still loading
  // when the user moves on writes into a detached one, never over the
  // page that replaced it.
  const view = h('div', { class: 'view' }, h('p', { class: 'muted' }, t('loading')));
  put(main, view);
  const arg = page.prefix ? decodeURIComponent(hash.slice(page.hash.length)) : null;
  try {
    await page.run(view, ctx, arg);
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 401) {
      await signOut();
      return;
    }
    put(view, status('bad', t('failed', { detail: e.message })));
  }
  if (view.isConnected) main.focus({ preventScroll: true });
}

async function loadSession() {
  if (!token.get()) {
    ctx.session = null;
  } else {
    try {
      ctx.session = await api('GET', '/api/v1/session');
    } catch (e) {
      if (!(e instanceof ApiProblem) || e.status !== 401) throw e;
      token.clear();
      ctx.session = null;
    }
  }
  ctx.caps = capabilities(ctx.session?.role ?? null);
}

async function signOut() {
  token.clear();
  await loadSession();
  location.hash = '#/signin';
  await route();
}

function signInPage(main) {
  const form = h('form', { class: 'grid', novalidate: true, id: 'signin-form' },
    field(t('token'), 'token', 'input', { type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('signIn'))),
    h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    token.set(form.elements.token.value.trim());
    form.elements.token.value = '';
    await loadSession();
    if (!ctx.session) {
      const slot = form.querySelector('.error');
      form.elements.token.setAttribute('aria-invalid', 'true');
      slot.textContent = t('badToken');
      form.elements.token.focus();
      return;
    }
    location.hash = home();
  });
  put(main, h('h2', {}, t('signIn')), h('p', { class: 'muted' }, t('signInHint')), form);
  form.elements.token.focus();
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(lang === 'en' ? 'zh-CN' : 'en');
  route();
});
document.getElementById('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', route);

await loadSession();
await route();
