// Regulator pages: the case list by stage, opening a case, and one case
// from notice to decision, effect, employer letter and public notice, with
// its deadlines and the baseline's range beside the decision. Every step
// is the API's own (POST /cases/{id}/<step>); the page never decides.
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, pager, clearErrors, showProblem, checkRequired, formError, onSubmit } from './dom.js';
import { t, lang, showTime } from './i18n.js';

const STAGES = ['', 'opened', 'notice_served', 'decided', 'effective', 'published', 'closed', 'withdrawn'];
/** The baseline's default violation codes (a centre may configure others:
 * the field takes any code, the API checks it). */
const CODES = ['accept_property', 'leak_evaluation_information', 'conceal_conflict_of_interest', 'private_contact_with_bidder',
  'ignore_evaluation_criteria', 'leave_early', 'phone_in_room', 'late_arrival'];

/** Today in China (the API's dates are China dates). */
function chinaToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

/** A ground in words: the baseline's default violations by name, others
 * by their code. */
function groundText(g) {
  if (g.kind === 'violation') {
    const name = t(`violationNames.${g.code}`);
    return name.startsWith('violationNames.') ? g.code : name;
  }
  return g.kind === 'points_threshold' ? t('pointsGround', { points: g.points }) : t('lowCredit');
}

/** A sanction in words. */
export function sanctionText(s) {
  if (!s) return '—';
  const m = s.measure;
  let text = m.kind === 'warning' ? t('measure.warning')
    : m.kind === 'suspension' ? t('measure.suspension', { months: m.months, restore: t(`restore.${m.restore}`) })
      : m.ban_years ? t('measure.removalYears', { years: m.ban_years }) : t('measure.removalPermanent');
  if (s.fine_yuan) text += t('measure.fine', { yuan: s.fine_yuan });
  return text;
}

export async function cases(main) {
  const cursors = [null];
  const filter = h('form', { class: 'grid', novalidate: true, id: 'case-filters', role: 'search' },
    field(t('stage'), 'stage', 'select', {}, STAGES.map((s) => h('option', { value: s }, t(`stages.${s || 'all'}`)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('search'))), formError());
  const out = h('div', { id: 'case-list', 'aria-live': 'polite' });
  const load = async (page) => {
    clearErrors(filter);
    const q = new URLSearchParams({ limit: '50' });
    if (filter.elements.stage.value) q.set('stage', filter.elements.stage.value);
    if (cursors[page]) q.set('cursor', cursors[page]);
    const res = await api('GET', `/api/v1/cases?${q}`);
    cursors[page + 1] = res.next_cursor ?? null;
    const rows = res.items.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/cases/${encodeURIComponent(c.case_no)}` }, c.case_no)), h('td', {}, c.expert_id),
      h('td', { 'data-stage': c.stage }, t(`stages.${c.stage}`)), h('td', {}, c.opened_on), h('td', {}, showTime(c.updated_at))));
    put(out, rows.length ? table([t('caseNo'), t('expertId'), t('stage'), t('openedOn'), t('updatedAt')], rows) : h('p', {}, t('none')),
      pager(page, res.next_cursor, load));
  };
  filter.addEventListener('submit', (ev) => { ev.preventDefault(); cursors.length = 1; load(0); });

  // Proposals of the review and the points thresholds: open a case from one.
  const proposals = await api('GET', '/api/v1/proposals').catch((e) => {
    if (e instanceof ApiProblem && e.status === 403) return null;
    throw e;
  });
  const proposalBox = proposals?.length ? [h('h3', {}, t('proposals')), table([t('expertId'), t('grounds'), t('proposed'), ''],
    proposals.map((p) => h('tr', {}, h('td', {}, p.expert_id), h('td', {}, groundText(p.ground), h('br'), h('span', { class: 'muted' }, lang === 'en' ? p.detail_en : p.detail_zh)),
      h('td', {}, sanctionText(p.proposed)),
      h('td', {}, h('button', { type: 'button', onclick: async () => {
        const c = await api('POST', `/api/v1/experts/${encodeURIComponent(p.expert_id)}/cases`, { body: { proposal: p.key } });
        location.hash = `#/cases/${encodeURIComponent(c.case_no)}`;
      } }, t('openCase'))))))] : null;

  put(main, h('h2', {}, t('casesTitle')), filter, out, proposalBox, violationForm(), openForm());
  await load(0);
}

/** Record a violation against the baseline (it may reach a threshold and
 * store a proposal; never a sanction by itself). */
function violationForm() {
  const list = h('datalist', { id: 'violation-codes' }, CODES.map((c) => h('option', { value: c })));
  const form = h('form', { class: 'grid', novalidate: true, id: 'violation-form' },
    h('div', { class: 'actions' }, h('h3', {}, t('recordViolation'))),
    field(t('expertId'), 'expert_id', 'input', { required: true, autocomplete: 'off' }),
    field(t('violationCode'), 'code', 'input', { required: true, list: 'violation-codes', autocomplete: 'off' }),
    field(t('occurredOn'), 'occurred_on', 'input', { type: 'date', required: true, value: chinaToday() }),
    field(t('drawIdOptional'), 'draw_id', 'input', { autocomplete: 'off' }),
    field(t('evidenceLines'), 'evidence', 'textarea', { rows: 2, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('record'))), formError(), list);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const v = (n) => form.elements[n].value.trim();
    const body = { code: v('code'), occurred_on: v('occurred_on'), evidence: lines(v('evidence')) };
    if (v('draw_id')) body.draw_id = v('draw_id');
    try {
      const r = await api('POST', `/api/v1/experts/${encodeURIComponent(v('expert_id'))}/violations`, { body });
      form.querySelector('.form-error').textContent = '';
      form.append(status('good', t('violationRecorded', { points: r.violation.points }), { id: 'violation-recorded' }));
      if (r.proposal) form.append(status('warn', `${t('proposals')}: ${lang === 'en' ? r.proposal.detail_en : r.proposal.detail_zh}`));
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  return form;
}

/** Open a case directly on a ground of the baseline. */
function openForm() {
  const form = h('form', { class: 'grid', novalidate: true, id: 'open-case-form' },
    h('div', { class: 'actions' }, h('h3', {}, t('openCase'))),
    field(t('expertId'), 'expert_id', 'input', { required: true, autocomplete: 'off' }),
    field(t('violationCode'), 'grounds', 'input', { required: true, list: 'violation-codes', autocomplete: 'off' }),
    field(t('summary'), 'summary', 'textarea', { rows: 2, required: true }),
    field(t('openedOn'), 'opened_on', 'input', { type: 'date', value: chinaToday() }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'open-case-submit' }, t('openCase'))), formError());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const v = (n) => form.elements[n].value.trim();
    const body = { grounds: [{ kind: 'violation', code: v('grounds') }], summary: v('summary') };
    if (v('opened_on')) body.opened_on = v('opened_on');
    try {
      const c = await api('POST', `/api/v1/experts/${encodeURIComponent(v('expert_id'))}/cases`, { body });
      location.hash = `#/cases/${encodeURIComponent(c.case_no)}`;
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  return form;
}

/** The fields of a sanction (notice's proposal, decision's outcome). */
function sanctionFields(prefix) {
  return [
    field(t('measureKind'), `${prefix}/measure/kind`, 'select', {}, ['suspension', 'warning', 'removal'].map((k) => h('option', { value: k }, t(`measures.${k}`)))),
    field(t('months'), `${prefix}/measure/months`, 'input', { type: 'number', min: 1, value: '6' }),
    field(t('restoreMode'), `${prefix}/measure/restore`, 'select', {}, ['after_test', 'automatic', 'on_application'].map((k) => h('option', { value: k }, t(`restore.${k}`)))),
    field(t('banYears'), `${prefix}/measure/ban_years`, 'input', { type: 'number', min: 1 }),
    field(t('fineYuan'), `${prefix}/fine_yuan`, 'input', { type: 'number', min: 0 }),
  ];
}

function readSanction(form, prefix) {
  const v = (n) => form.elements[`${prefix}/${n}`].value.trim();
  const kind = v('measure/kind');
  const measure = { kind };
  if (kind === 'suspension') { measure.months = Number(v('measure/months')); measure.restore = v('measure/restore'); }
  if (kind === 'removal') measure.ban_years = v('measure/ban_years') ? Number(v('measure/ban_years')) : null;
  return { measure, fine_yuan: v('fine_yuan') ? Number(v('fine_yuan')) : null };
}

/** One step form: `fields` are controls, `body(v, form)` the request. */
function stepForm(c, step, titleKey, fields, body, onDone, extra = {}) {
  const form = h('form', { class: 'grid step', novalidate: true, id: `step-${step.replace('/', '-')}` },
    h('div', { class: 'actions' }, h('h4', {}, t(titleKey))), ...fields,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, extra.submitLabel ?? t('submitStep'))), formError());
  onSubmit(form, async (v) => {
    if (extra.before && !(await extra.before(form))) return;
    await api('POST', `/api/v1/cases/${encodeURIComponent(c.case_no)}/${step}`, { body: body(v, form) });
    await onDone();
  });
  return form;
}

const dateField = (name, label = t('onDate')) => field(label, name, 'input', { type: 'date', required: true, value: chinaToday() });

/** The public notice as it will read on the penalties page. */
function noticePreview(c, expert) {
  const d = c.case.decision;
  return h('section', { id: 'notice-preview', class: 'preview' },
    h('h4', {}, t('noticePreview')),
    h('p', {}, t('noticeText', {
      case: c.case_no, name: expert?.name ?? c.expert_id, employer: expert?.employer?.name ?? '',
      grounds: (d?.found ?? []).map(groundText).join('、'),
      sanction: d?.outcome?.kind === 'sanction' ? sanctionText(d.outcome.sanction) : t('noSanction'),
      decided: d?.decided_on ?? '', effective: d?.effective_on ?? '',
    })));
}

export async function caseDetail(main, ctx, caseNo) {
  const c = await api('GET', `/api/v1/cases/${encodeURIComponent(caseNo)}`);
  const expert = await api('GET', `/api/v1/experts/${encodeURIComponent(c.expert_id)}`).catch(() => null);
  const reload = () => caseDetail(main, ctx, caseNo);
  const dl = c.deadlines;
  const n = c.case.notice;
  const deadlines = h('dl', { id: 'case-deadlines' },
    h('dt', {}, t('stage')), h('dd', { id: 'case-stage', 'data-stage': c.stage }, t(`stages.${c.stage}`)),
    h('dt', {}, t('openedOn')), h('dd', {}, c.case.opened_on),
    n ? [h('dt', {}, t('servedOn')), h('dd', {}, n.served_on)] : null,
    dl.defence_window_ends ? [h('dt', {}, t('defenceWindow')), h('dd', { id: 'defence-window' },
      t('defenceUntil', { day: dl.defence_window_ends, left: dl.defence_working_days_left ?? 0 }), dl.defence_waived ? ` · ${t('waived')}` : '')] : null,
    dl.decision_from ? [h('dt', {}, t('decisionFrom')), h('dd', { id: 'decision-from' }, dl.decision_from)] : null,
    dl.hearing ? [h('dt', {}, t('hearing')), h('dd', {}, t(`hearings.${dl.hearing}`))] : null,
    dl.effective_on ? [h('dt', {}, t('effectiveOn')), h('dd', {}, dl.effective_on)] : null,
    c.standing_sanction ? [h('dt', {}, t('sanction')), h('dd', { id: 'standing-sanction' }, sanctionText(c.standing_sanction))] : null);
  const baseline = h('aside', { id: 'case-baseline', class: 'baseline' }, h('h4', {}, t('baselineRange')),
    h('ul', {}, c.baseline.map((b) => h('li', {}, h('strong', {}, b.rule), `：${lang === 'en' ? b.allowed_en : b.allowed_zh}`,
      h('br'), h('span', { class: 'muted' }, b.legal_basis)))));
  const history = table([t('position'), t('stepCol'), t('stage'), t('time')],
    c.history.map((x) => h('tr', {}, h('td', {}, String(x.position)), h('td', {}, x.kind), h('td', {}, t(`stages.${x.stage}`)), h('td', {}, showTime(x.recorded_at)))));
  const letter = c.employer_letter;
  const letterBox = letter ? h('section', { id: 'letter-preview', class: 'preview' },
    h('h4', {}, `${t('employerLetter')}：${letter.title}`),
    h('p', {}, `${t('recipient')}：${letter.recipient}`),
    h('pre', { id: 'letter-text' }, letter.text),
    h('p', { class: 'muted' }, `SHA-256 ${letter.text_sha256}`,
      letter.delivered_on ? ` · ${t('deliveredOn')} ${letter.delivered_on} (${letter.channel ?? ''} ${letter.reference ?? ''})` : ` · ${t('notDelivered')}`)) : null;

  const steps = [];
  const stage = c.stage;
  if (stage === 'opened') {
    steps.push(stepForm(c, 'notice', 'step.notice', [
      dateField('served_on', t('servedOn')),
      field(t('facts'), 'facts', 'textarea', { rows: 3, required: true }),
      field(t('evidenceLines'), 'evidence', 'textarea', { rows: 2, required: true }),
      field(t('legalBasisLines'), 'legal_basis', 'textarea', { rows: 2, required: true }),
      ...sanctionFields('proposed')],
    (v, f) => ({ served_on: v('served_on'), facts: v('facts'), evidence: lines(v('evidence')), legal_basis: lines(v('legal_basis')), proposed: readSanction(f, 'proposed') }), reload));
  }
  if (stage === 'notice_served') {
    steps.push(
      stepForm(c, 'statements', 'step.statements', [dateField('received_on', t('receivedOn')), field(t('reference'), 'reference', 'input', { required: true }), field(t('summary'), 'summary', 'input', { required: true })],
        (v) => ({ received_on: v('received_on'), reference: v('reference'), summary: v('summary') }), reload),
      stepForm(c, 'defence-waiver', 'step.defenceWaiver', [dateField('on'), field(t('reference'), 'reference', 'input', { required: true })],
        (v) => ({ on: v('on'), reference: v('reference') }), reload),
      stepForm(c, 'hearing-request', 'step.hearingRequest', [dateField('on')], (v) => ({ on: v('on') }), reload),
      stepForm(c, 'hearing', 'step.hearing', [dateField('on'), field(t('hearingRecord'), 'record', 'input', { required: true })],
        (v) => ({ on: v('on'), record: v('record') }), reload),
      stepForm(c, 'hearing-waiver', 'step.hearingWaiver', [dateField('on'), field(t('reference'), 'reference', 'input', { required: true })],
        (v) => ({ on: v('on'), reference: v('reference') }), reload),
      h('div', { class: 'decision-with-baseline' },
        stepForm(c, 'decision', 'step.decision', [
          dateField('decided_on', t('decidedOn')),
          field(t('outcome'), 'outcome', 'select', {}, [h('option', { value: 'sanction' }, t('withSanction')), h('option', { value: 'no_sanction' }, t('noSanction'))]),
          ...sanctionFields('sanction'),
          field(t('reasons'), 'reasons', 'textarea', { rows: 3, required: true }),
          dateField('effective_on', t('effectiveOn'))],
        (v, f) => ({
          decided_on: v('decided_on'),
          outcome: v('outcome') === 'sanction' ? { kind: 'sanction', sanction: readSanction(f, 'sanction') } : { kind: 'no_sanction' },
          found: c.case.grounds, reasons: v('reasons'), effective_on: v('effective_on'),
        }), reload),
        baseline));
  }
  if (['opened', 'notice_served'].includes(stage)) {
    steps.push(stepForm(c, 'withdrawal', 'step.withdrawal', [dateField('on'), field(t('reason'), 'reason', 'input', { required: true })],
      (v) => ({ on: v('on'), reason: v('reason') }), reload));
  }
  if (['decided', 'effective', 'published'].includes(stage) && c.case.civil_servant && !letter) {
    steps.push(stepForm(c, 'employer-letter', 'step.letter', [field(t('authority'), 'authority', 'input', { required: true }), dateField('issued_on', t('issuedOn'))],
      (v) => ({ authority: v('authority'), issued_on: v('issued_on') }), reload, { submitLabel: t('generateLetter') }));
  }
  if (letter && !letter.delivered_on) {
    steps.push(stepForm(c, 'employer-letter/delivery', 'step.delivery', [dateField('on'),
      field(t('channel'), 'channel', 'select', {}, ['post', 'hand', 'official_system'].map((k) => h('option', { value: k }, t(`channels.${k}`)))),
      field(t('reference'), 'reference', 'input', { required: true })],
    (v) => ({ on: v('on'), channel: v('channel'), reference: v('reference') }), reload));
  }
  if (stage === 'decided') {
    steps.push(stepForm(c, 'effect', 'step.effect', [dateField('on')], (v) => ({ on: v('on') }), reload));
  }
  if (stage === 'effective') {
    // The public notice is shown as it will read, then confirmed.
    const preview = h('div', { id: 'publish-preview-box' });
    steps.push(stepForm(c, 'publication', 'step.publication', [dateField('on'), field(t('reference'), 'reference', 'input', { required: true }), preview],
      (v) => ({ on: v('on'), reference: v('reference') }), reload, {
        submitLabel: t('previewThenPublish'),
        before: async (form) => {
          if (form.dataset.previewed === 'yes') return true;
          put(preview, noticePreview(c, expert), h('p', { class: 'muted' }, t('confirmPublish')));
          form.dataset.previewed = 'yes';
          form.querySelector('button[type=submit]').textContent = t('confirmPublishButton');
          return false;
        },
      }));
  }
  if (stage === 'published') {
    steps.push(stepForm(c, 'close', 'step.close', [dateField('on')], (v) => ({ on: v('on') }), reload));
  }
  if (['decided', 'effective', 'published'].includes(stage)) {
    steps.push(stepForm(c, 'reviews', 'step.review', [
      field(t('reviewKind'), 'kind', 'select', {}, ['reconsideration', 'appeal'].map((k) => h('option', { value: k }, t(`reviews.${k}`)))),
      field(t('reference'), 'reference', 'input', { required: true }), dateField('filed_on', t('filedOn')), field(t('reviewBody'), 'body', 'input', { required: true })],
    (v) => ({ kind: v('kind'), reference: v('reference'), filed_on: v('filed_on'), body: v('body') }), reload));
  }

  put(main, h('h2', {}, `${t('case')} ${c.case_no}`),
    h('p', {}, `${t('expertId')}: ${c.expert_id}`, expert ? ` · ${expert.name} · ${expert.employer?.name ?? ''}` : '',
      c.case.civil_servant ? ` · ${t('civilServant')}` : ''),
    h('p', {}, `${t('grounds')}: ${c.case.grounds.map(groundText).join('、')} · ${c.case.summary}`),
    deadlines,
    n ? h('p', {}, `${t('proposed')}: ${sanctionText(n.proposed)}`) : null,
    c.case.decision ? h('p', { id: 'case-decision' }, `${t('decision')}: ${c.case.decision.outcome.kind === 'sanction' ? sanctionText(c.case.decision.outcome.sanction) : t('noSanction')} · ${c.case.decision.decided_on}`) : null,
    stage !== 'notice_served' ? baseline : null,
    letterBox,
    stage === 'decided' ? noticePreview(c, expert) : null,
    c.case.published ? status('good', t('publishedNote', { on: c.case.published.on }), { id: 'case-published' }) : null,
    h('h3', {}, t('nextSteps')), steps.length ? steps : h('p', {}, t('none')),
    h('h3', {}, t('history')), history,
    h('p', {}, h('a', { href: '#/cases' }, t('back'))));
}
