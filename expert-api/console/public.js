// Public pages, no sign-in: awarded projects with their panels and
// results, and the award-notice check. Calls carry no token.
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, pager, clearErrors, showProblem, checkRequired } from './dom.js';
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
      pager(page, res.next_cursor, load));
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

/** The invited expert's answer page: the link in the invitation message
 * leads here (`#/respond/TOKEN`: the token stays in the fragment, never in
 * a request line). Only the time, the venue and the deadline are shown. */
export async function respond(main, ctx, tok) {
  const path = `/api/v1/respond/${encodeURIComponent(tok)}`;
  const out = h('div', { id: 'respond-out', 'aria-live': 'polite' });
  let inv;
  try {
    inv = await api('GET', path, { anonymous: true });
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) { put(main, h('h2', {}, t('respondTitle')), status('bad', t('respondUnknown'))); return; }
    throw e;
  }
  const facts = (v) => h('dl', { id: 'respond-facts' },
    h('dt', {}, t('window')), h('dd', {}, `${showTime(v.evaluation_start)} – ${showTime(v.evaluation_end)}`),
    h('dt', {}, t('venue')), h('dd', {}, v.venue),
    h('dt', {}, t('deadline')), h('dd', {}, showTime(v.deadline)),
    h('dt', {}, t('state')), h('dd', { id: 'respond-state', 'data-state': v.state }, v.state === 'open' ? t('awaiting') : t(`states.${v.state}`)));
  const form = h('form', { class: 'grid', novalidate: true, id: 'respond-form' },
    field(t('reasonOptional'), 'reason', 'input', { autocomplete: 'off' }),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name: 'conflict_of_interest' }), ` ${t('conflictOfInterest')}`)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', value: 'accept', id: 'respond-accept' }, t('accept')),
      h('button', { type: 'submit', value: 'decline', id: 'respond-decline' }, t('decline'))),
    h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const answer = ev.submitter?.value === 'accept' ? 'accept' : 'decline';
    const body = { answer, conflict_of_interest: answer === 'decline' && form.elements.conflict_of_interest.checked };
    if (form.elements.reason.value.trim()) body.reason = form.elements.reason.value.trim();
    try {
      const v = await api('POST', path, { body, anonymous: true });
      put(main, h('h2', {}, t('respondTitle')), facts(v), status('good', answer === 'accept' ? t('thanksAccept') : t('thanksDecline'), { id: 'respond-done' }));
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  put(main, h('h2', {}, t('respondTitle')), h('p', {}, t('respondQuestion')), facts(inv),
    inv.state === 'open' ? form : status('warn', t('respondAnswered')), out);
}

/** Decided and published penalties (处罚结果公开), newest first. */
export async function penalties(main) {
  const cursors = [null];
  const out = h('div', { id: 'public-penalties' });
  const load = async (page) => {
    const q = cursors[page] ? `&cursor=${encodeURIComponent(cursors[page])}` : '';
    const res = await api('GET', `/api/v1/public/penalties?limit=20${q}`, { anonymous: true });
    cursors[page + 1] = res.next_cursor ?? null;
    const rows = res.items.map((p) => h('tr', { 'data-case': p.case_no },
      h('td', {}, p.case_no), h('td', {}, p.name), h('td', {}, p.employer),
      h('td', {}, p.violations.map((v) => (lang === 'en' ? v.name_en : v.name_zh)).join('、')),
      h('td', {}, lang === 'en' ? p.sanction_en : p.sanction_zh, p.standing === null ? ` (${t('revoked')})` : ''),
      h('td', {}, p.decided_on), h('td', {}, p.effective_on), h('td', {}, p.published_on)));
    put(out, rows.length ? table([t('caseNo'), t('name'), t('employerName'), t('violations'), t('sanction'), t('decidedOn'), t('effectiveOn'), t('publishedOn')], rows)
      : h('p', {}, t('none')),
    pager(page, res.next_cursor, load));
  };
  put(main, h('h2', {}, t('penaltiesTitle')), h('p', { class: 'muted' }, t('penaltiesHint')), out);
  await load(0);
}
