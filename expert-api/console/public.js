// Public pages, no sign-in: awarded projects with their panels and
// results, and the award-notice check. Calls carry no token.
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, clearErrors, showProblem, checkRequired } from './dom.js';
import { t, lang, showTime } from './i18n.js';

export async function projects(main) {
  const cursors = [null];
  const out = h('div', { id: 'public-projects' });
  const load = async (page) => {
    const q = cursors[page] ? `&cursor=${encodeURIComponent(cursors[page])}` : '';
    const res = await api('GET', `/api/v1/public/projects?limit=20${q}`, { anonymous: true });
    cursors[page + 1] = res.next_cursor ?? null;
    const rows = res.items.map((p) => h('tr', {},
      h('td', {}, h('a', { href: `#/public/${encodeURIComponent(p.project_id)}` }, p.project_id)),
      h('td', {}, p.bid_section), h('td', {}, showTime(p.awarded_at)), h('td', {}, p.results_published ? t('yes') : t('no'))));
    put(out, rows.length ? table([t('projectId'), t('bidSection'), t('awardedAt'), t('results')], rows) : h('p', {}, t('none')),
      h('div', { class: 'actions' },
        page > 0 ? h('button', { type: 'button', onclick: () => load(page - 1) }, t('prev')) : null,
        res.next_cursor ? h('button', { type: 'button', onclick: () => load(page + 1) }, t('next')) : null));
  };
  put(main, h('h2', {}, t('publicTitle')), out);
  await load(0);
}

function results(r) {
  const bidder = new Map(r.bidders.map((b) => [b.code, b.name]));
  const name = (code) => `${bidder.get(code) ?? ''} (${code})`;
  return [
    h('h4', {}, t('candidates')),
    table([t('rank'), t('bidders'), t('score')], r.candidates.map((c) => h('tr', {}, h('td', {}, String(c.rank)), h('td', {}, name(c.bidder)), h('td', {}, c.score)))),
    r.rejected.length ? [h('h4', {}, t('rejected')), table([t('bidders'), t('reason')],
      r.rejected.map((x) => h('tr', {}, h('td', {}, name(x.bidder)), h('td', {}, `${x.reason}（${x.basis}）`))))] : null,
    h('h4', {}, t('scores')),
    table([t('panel'), t('bidders'), ...r.items.map((i) => `${i.name} (≤${i.max})`), t('total')],
      r.scores.map((s) => h('tr', {}, h('td', {}, s.expert), h('td', {}, name(s.bidder)),
        r.items.map((i) => h('td', {}, s.items[i.code] ?? '')), h('td', {}, s.total)))),
  ];
}

export async function project(main, ctx, id) {
  const p = await api('GET', `/api/v1/public/project?project_id=${encodeURIComponent(id)}`, { anonymous: true });
  put(main, h('h2', {}, `${t('project')} ${p.project_id}`),
    ...p.sections.map((s) => h('section', {},
      h('h3', {}, `${t('bidSection')} ${s.bid_section} · ${t('awardedAt')} ${showTime(s.awarded_at)}`),
      h('p', {}, `${t('panel')}: `, h('span', { class: 'panel-names' }, s.panel.join('、'))),
      h('p', {}, `${t('draws')}: ${s.draws.join(', ')}`),
      s.results ? results(s.results) : h('p', { class: 'muted' }, `${t('results')}: —`))),
    h('p', {}, h('a', { href: '#/panel-check' }, t('nav.panelCheck'))));
}

export async function panelCheck(main) {
  const out = h('div', { id: 'panel-check-out', 'aria-live': 'polite' });
  const form = h('form', { class: 'grid', novalidate: true, id: 'panel-check-form' },
    field(t('projectId'), 'project_id', 'input', { required: true, autocomplete: 'off' }),
    field(t('bidSection'), 'bid_section', 'input', { autocomplete: 'off' }),
    field(t('names'), 'names', 'textarea', { rows: 6, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('check'))),
    h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    put(out);
    if (!checkRequired(form)) return;
    const body = {
      project_id: form.elements.project_id.value.trim(),
      names: form.elements.names.value.split('\n').map((n) => n.trim()).filter(Boolean),
    };
    const section = form.elements.bid_section.value.trim();
    if (section) body.bid_section = section;
    try {
      const r = await api('POST', '/api/v1/public/panel-check', { body, anonymous: true });
      put(out, status(r.match ? 'good' : 'bad', r.match ? t('checkMatch') : t('checkNoMatch')),
        r.receipts?.length ? [h('h3', {}, t('receipts')), h('pre', {}, r.receipts.join('\n\n'))] : null);
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  put(main, h('h2', {}, t('panelCheckTitle')), form, out);
}
