// Operator pages: the pool, draws, requesting a draw, commit → reveal,
// the panel by pseudonym and sign-in at the venue.
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, clearErrors, showProblem, checkRequired } from './dom.js';
import { t, lang, state, showTime, beijingToUtc } from './i18n.js';

const STATUSES = ['', 'applicant', 'rejected', 'active', 'on_leave', 'suspended', 'retired', 'removed'];

function formError() {
  return h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' });
}

export async function pool(main) {
  const cursors = [null];
  const form = h('form', { class: 'grid', novalidate: true, id: 'pool-filters', role: 'search' },
    field(t('status'), 'status', 'select', {}, STATUSES.map((s) => h('option', { value: s }, t(`statuses.${s}`)))),
    field(t('region'), 'region', 'input', { inputmode: 'numeric', pattern: '[0-9]{6}', autocomplete: 'off' }),
    field(t('specialty'), 'specialty', 'input', { autocomplete: 'off' }),
    field(t('employer'), 'employer', 'input', { autocomplete: 'off' }),
    field(t('q'), 'q', 'input', { type: 'search' }),
    field(t('limit'), 'limit', 'input', { type: 'number', min: 1, max: 200, value: '20' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('search'))),
    formError());
  const out = h('div', { id: 'pool-results', 'aria-live': 'polite' });
  const load = async (page) => {
    clearErrors(form);
    const q = new URLSearchParams();
    for (const k of ['status', 'region', 'specialty', 'employer', 'q', 'limit']) {
      const v = form.elements[k].value.trim();
      if (v) q.set(k, v);
    }
    if (cursors[page]) q.set('cursor', cursors[page]);
    let res;
    try {
      res = await api('GET', `/api/v1/experts?${q}`);
    } catch (e) {
      if (e instanceof ApiProblem) { showProblem(form, e, lang); return; }
      throw e;
    }
    cursors[page + 1] = res.next_cursor ?? null;
    const rows = res.items.map((x) => h('tr', {},
      h('td', {}, x.id), h('td', {}, x.name), h('td', {}, t(`statuses.${x.status}`)), h('td', {}, x.region),
      h('td', {}, x.employer?.name ?? ''), h('td', {}, x.specialties.join(' ')), h('td', {}, x.mobile)));
    put(out,
      rows.length ? table([t('id'), t('name'), t('status'), t('region'), t('employer'), t('specialty'), t('mobile')], rows)
        : h('p', {}, t('none')),
      h('div', { class: 'actions' },
        page > 0 ? h('button', { type: 'button', onclick: () => load(page - 1) }, t('prev')) : null,
        res.next_cursor ? h('button', { type: 'button', id: 'pool-next', onclick: () => load(page + 1) }, t('next')) : null));
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); cursors.length = 1; load(0); });
  put(main, h('h2', {}, t('pool')), form, out);
  await load(0);
}

export async function draws(main, ctx) {
  const list = await api('GET', '/api/v1/draws?limit=50');
  const rows = list.map((d) => h('tr', {},
    h('td', {}, h('a', { href: `#/draws/${encodeURIComponent(d.id)}` }, d.id)),
    h('td', {}, d.project_id, ' / ', d.bid_section), h('td', {}, d.region), h('td', {}, state(d.state)),
    h('td', {}, showTime(d.evaluation_start))));
  put(main, h('h2', {}, t('draws')),
    ctx.caps.request ? h('p', {}, h('a', { href: '#/draws/new' }, t('nav.newDraw'))) : null,
    rows.length ? table([t('drawId'), t('project'), t('region'), t('state'), t('window')], rows) : h('p', {}, t('none')));
}

/** Specialties as `<option>`s, indented by level, with the pool size. */
async function specialtyOptions() {
  const tree = await api('GET', '/api/v1/reference/specialties');
  return tree.map((s) => ({ code: s.code, label: `${'\u3000'.repeat(Math.max(0, s.level - 1))}${s.code} ${s.name} (${s.pool_experts})` }));
}

export async function newDraw(main, ctx) {
  const specialties = await specialtyOptions();
  const groups = h('div', { id: 'groups' });
  const addGroup = () => {
    const n = groups.children.length;
    const fs = h('fieldset', { class: 'grid group' }, h('legend', {}, t('group', { n: n + 1 })),
      field(t('specialty'), `panel/${n}/specialty`, 'select', { required: true },
        [h('option', { value: '' }, t('pickSpecialty')), ...specialties.map((s) => h('option', { value: s.code }, s.label))]),
      field(t('count'), `panel/${n}/count`, 'input', { type: 'number', min: 1, value: '5', required: true }),
      field(t('reserve'), `panel/${n}/reserve`, 'input', { type: 'number', min: 0, value: '2', required: true }));
    groups.append(fs);
  };
  addGroup();
  const form = h('form', { class: 'grid', novalidate: true, id: 'draw-form' },
    field(t('projectId'), 'project/id', 'input', { required: true, autocomplete: 'off' }),
    field(t('projectName'), 'project/name', 'input', { required: true }),
    field(t('region'), 'project/region', 'input', { required: true, inputmode: 'numeric', value: ctx.session.region ?? '' }),
    field(t('tenderer'), 'project/tenderer', 'input', { required: true, autocomplete: 'off' }),
    field(t('bidSection'), 'project/bid_section', 'input', { required: true, value: '1' }),
    field(t('evalStart'), 'evaluation/start', 'input', { type: 'datetime-local', required: true }),
    field(t('evalEnd'), 'evaluation/end', 'input', { type: 'datetime-local', required: true }),
    field(t('venue'), 'evaluation/venue', 'input', { required: true }),
    field(t('representatives'), 'representatives', 'input', { type: 'number', min: 0, value: '0', required: true }),
    h('div', { class: 'actions' }, h('h3', {}, t('groups'))),
    h('div', { class: 'actions' }, groups),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: addGroup }, t('addGroup'))),
    field(t('avoidBidders'), 'avoid/bidders', 'textarea', { rows: 2 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'draw-submit' }, t('submitDraw'))),
    formError());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const v = (name) => form.elements[name].value.trim();
    const body = {
      project: { id: v('project/id'), name: v('project/name'), region: v('project/region'), tenderer: v('project/tenderer'), bid_section: v('project/bid_section') },
      evaluation: { start: beijingToUtc(v('evaluation/start')), end: beijingToUtc(v('evaluation/end')), venue: v('evaluation/venue') },
      panel: [...groups.children].map((_, k) => ({
        specialty: v(`panel/${k}/specialty`), count: Number(v(`panel/${k}/count`)), reserve: Number(v(`panel/${k}/reserve`)),
      })),
      representatives: Number(v('representatives')),
    };
    const bidders = v('avoid/bidders').split(/\s+/).filter(Boolean);
    if (bidders.length) body.avoid = { bidders };
    try {
      const d = await api('POST', '/api/v1/draws', { body });
      location.hash = `#/draws/${encodeURIComponent(d.id)}`;
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  put(main, h('h2', {}, t('newDraw')), form);
}

function hashes(d) {
  return h('dl', {},
    h('dt', {}, t('statementHash')), h('dd', { class: 'hash', id: 'statement-hash' }, d.statement_hash),
    h('dt', {}, t('nonceCommitment')), h('dd', { class: 'hash' }, d.nonce_commitment),
    d.seed ? [h('dt', {}, t('seed')), h('dd', { class: 'hash', id: 'seed' }, d.seed)] : null,
    d.checkpoint ? [h('dt', {}, t('checkpoint')), h('dd', {}, h('pre', {}, d.checkpoint))] : null);
}

export async function drawDetail(main, ctx, id) {
  const d = await api('GET', `/api/v1/draws/${encodeURIComponent(id)}`);
  const live = h('div', { id: 'draw-status', 'aria-live': 'polite' });
  const parts = [h('h2', {}, t('draw', { id: d.id })),
    h('p', {}, `${t('project')}: ${d.project_id} / ${d.bid_section} · ${t('region')}: ${d.region} · ${t('window')}: ${showTime(d.evaluation_start)} – ${showTime(d.evaluation_end)} · ${d.venue}`),
    h('p', {}, `${t('state')}: `, h('strong', { id: 'draw-state', 'data-state': d.state }, state(d.state)), ` · ${t('candidates')}: ${d.candidate_count}`),
    hashes(d), live];
  if (d.state === 'committed') {
    live.append(status('warn', t('committed')));
    if (ctx.caps.request) {
      const form = h('form', { class: 'grid', novalidate: true, id: 'reveal-form' },
        field(t('beacon'), 'beacon', 'input', { autocomplete: 'off' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'reveal' }, t('reveal'))), formError());
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clearErrors(form);
        try {
          await api('POST', `/api/v1/draws/${encodeURIComponent(d.id)}/reveal`, { body: { beacon: form.elements.beacon.value } });
          await drawDetail(main, ctx, id);
        } catch (e) {
          if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
        }
      });
      parts.push(form);
    }
  } else if (d.members.length) {
    live.append(status('good', d.sealed ? t('revealed') : t('unsealed')));
  }
  if (d.members.length) {
    const rows = d.members.map((m) => h('tr', {},
      h('td', {}, m.pseudonym), h('td', {}, String(m.group + 1)), h('td', {}, state(m.drawn_as)), h('td', { class: 'member-state', 'data-state': m.state }, state(m.state)),
      h('td', {}, m.seat ? t('yes') : t('no')),
      h('td', {}, m.invitation ? `${m.invitation.answer ?? '—'} · ${showTime(m.invitation.deadline)}` : ''),
      h('td', {}, ctx.caps.request && m.seat && m.state !== 'signed_in'
        ? h('button', { type: 'button', class: 'sign-in', 'data-pseudonym': m.pseudonym, onclick: async () => {
          const r = await api('POST', `/api/v1/draws/${encodeURIComponent(d.id)}/members/${encodeURIComponent(m.pseudonym)}/sign-in`, { body: {} });
          await drawDetail(main, ctx, id);
          document.getElementById('draw-status')?.prepend(status('good', r.unsealed ? t('unsealed') : t('signedIn', { p: r.pseudonym })));
        } }, t('signInAction'), h('span', { class: 'muted' }, ` ${m.pseudonym}`))
        : '')));
    parts.push(h('h3', {}, t('members')),
      table([t('pseudonym'), t('groupCol'), t('drawnAs'), t('state'), t('seat'), t('invitation'), ''], rows));
  }
  // Supervisors and admins read a sealed panel (logged as a sealed read);
  // operators only after it unseals.
  if (d.members.length && (ctx.caps.sealed || (ctx.caps.request && !d.sealed))) {
    const out = h('div', { id: 'sealed-panel' });
    parts.push(h('p', {}, h('button', { type: 'button', onclick: async () => {
      const panel = await api('GET', `/api/v1/draws/${encodeURIComponent(d.id)}/panel`);
      const members = panel.members ?? panel;
      put(out, table([t('pseudonym'), t('expertId'), t('name'), t('state')],
        members.map((m) => h('tr', {}, h('td', {}, m.pseudonym), h('td', {}, m.expert_id), h('td', {}, m.name), h('td', {}, state(m.state))))));
    } }, d.sealed ? t('viewSealed') : t('viewPanel'))), out);
  }
  if (ctx.caps.audit && d.state !== 'committed') {
    parts.push(h('p', {}, h('a', { href: `#/replay/${encodeURIComponent(d.id)}` }, t('nav.replay'))));
  }
  put(main, ...parts);
}
