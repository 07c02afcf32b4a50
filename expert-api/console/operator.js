// Operator pages: the pool, draws, requesting a draw, commit → reveal,
// the panel by pseudonym and sign-in at the venue.
import { api, token, ApiProblem } from './api.js';
import { h, put, field, table, status, pager, clearErrors, showProblem, checkRequired, formError, onSubmit } from './dom.js';
import { t, lang, state, showTime, beijingToUtc } from './i18n.js';

const STATUSES = ['', 'applicant', 'rejected', 'active', 'on_leave', 'suspended', 'retired', 'removed'];

/** The pool, filtered as the API filters it; `preset` a status to start
 * with (the admissions queue is the applicants). */
export async function pool(main, ctx, preset = null) {
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
  if (preset) form.elements.status.value = preset;
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
      h('td', {}, h('a', { href: `#/experts/${encodeURIComponent(x.id)}` }, x.id)), h('td', {}, x.name), h('td', {}, t(`statuses.${x.status}`)), h('td', {}, x.region),
      h('td', {}, x.employer?.name ?? ''), h('td', {}, x.specialties.join(' ')), h('td', {}, x.mobile)));
    put(out,
      rows.length ? table([t('id'), t('name'), t('status'), t('region'), t('employer'), t('specialty'), t('mobile')], rows)
        : h('p', {}, t('none')),
      pager(page, res.next_cursor, load, 'pool-next'));
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); cursors.length = 1; load(0); });
  put(main, h('h2', {}, t(preset === 'applicant' ? 'admissionsTitle' : 'pool')), form, out);
  await load(0);
}

/** A file as base64 (the import endpoint takes JSON). */
function base64Of(file, onProgress) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    r.onerror = () => reject(r.error);
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.readAsDataURL(file);
  });
}

/** POST the import with upload progress (fetch has none) and the server's
 * progress after it: the answer is JSON lines (`Accept:
 * application/x-ndjson`), `{"progress": …}` while the server checks and
 * writes, then `{"report": …}` or `{"problem": …}`. Refusals before the
 * work starts come as problem+json, like api(). */
function importWithProgress(path, body, onUpload, onServer) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('Content-Type', 'application/json');
    x.setRequestHeader('Accept', 'application/x-ndjson');
    const tok = token.get();
    if (tok) x.setRequestHeader('Authorization', `Bearer ${tok}`);
    x.upload.onprogress = (e) => { if (e.lengthComputable) onUpload(e.loaded, e.total); };
    let seen = 0;
    let last = null;
    const lines = () => {
      if (x.status < 200 || x.status >= 300) return;
      const text = x.responseText;
      let nl;
      while ((nl = text.indexOf('\n', seen)) >= 0) {
        const one = text.slice(seen, nl);
        seen = nl + 1;
        if (!one.trim()) continue;
        const msg = JSON.parse(one);
        if (msg.progress) onServer(msg.progress); else last = msg;
      }
    };
    x.onprogress = lines;
    x.onerror = () => reject(new Error('network'));
    x.onload = () => {
      if (x.status < 200 || x.status >= 300) {
        let json = null;
        try { json = JSON.parse(x.responseText); } catch { json = { detail: x.responseText.slice(0, 200) }; }
        reject(new ApiProblem(x.status, json));
        return;
      }
      try { lines(); } catch (e) { reject(e); return; }
      if (last?.report) resolve(last.report);
      else if (last?.problem) reject(new ApiProblem(last.problem.status, last.problem));
      else reject(new Error('the import ended without a report'));
    };
    x.send(JSON.stringify(body));
  });
}

export async function importRoster(main) {
  const bar = h('progress', { id: 'import-progress', max: 100, value: 0, hidden: true });
  const phase = h('span', { id: 'import-phase', 'aria-live': 'polite' });
  const out = h('div', { id: 'import-report', 'aria-live': 'polite' });
  const form = h('form', { class: 'grid', novalidate: true, id: 'import-form' },
    field(t('rosterFile'), 'content_base64', 'input', { type: 'file', accept: '.csv,.xlsx,text/csv', required: true }),
    field(t('importMode'), 'mode', 'select', {}, [
      h('option', { value: 'all_or_nothing' }, t('modeAll')), h('option', { value: 'valid_only' }, t('modeValid'))]),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name: 'dry_run' }), ` ${t('dryRun')}`)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'import-submit' }, t('importRun'))),
    h('div', { class: 'actions' }, bar, phase),
    formError());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    put(out);
    const file = form.elements.content_base64.files[0];
    if (!file) { checkRequired(form); return; }
    const format = /\.xlsx$/i.test(file.name) ? 'xlsx' : 'csv';
    const step = (key, done, total) => {
      bar.hidden = false;
      if (total) bar.value = Math.round((100 * done) / total); else bar.removeAttribute('value');
      phase.textContent = t(key);
    };
    form.elements['import-submit']?.setAttribute('disabled', '');
    try {
      step('phaseRead', 0, 1);
      const content = await base64Of(file, (d, n) => step('phaseRead', d, n));
      const body = { format, content_base64: content, mode: form.elements.mode.value, dry_run: form.elements.dry_run.checked };
      const report = await importWithProgress('/api/v1/experts/import', body, (d, n) => {
        // Once the upload is complete the server parses, checks and
        // writes: indeterminate until its first progress line.
        if (d >= n) step('phaseCheck'); else step('phaseUpload', d, n);
      }, (p) => {
        step(`phases.${p.phase}`, p.done, p.total);
        phase.textContent = `${t(`phases.${p.phase}`)} ${p.done} / ${p.total}`;
        phase.dataset.phase = p.phase;
      });
      bar.value = 100;
      phase.textContent = t('phaseDone');
      showReport(out, report);
    } catch (e) {
      bar.hidden = true;
      phase.textContent = '';
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    } finally {
      form.querySelector('#import-submit')?.removeAttribute('disabled');
    }
  });
  put(main, h('h2', {}, t('importTitle')), h('p', { class: 'muted' }, t('importHint')), form, out);
}

function showReport(out, r) {
  const written = r.imported.length;
  const kind = r.rejected_rows === 0 ? 'good' : written > 0 ? 'warn' : 'bad';
  put(out,
    status(kind, t('importSummary', { rows: r.rows, valid: r.valid_rows, rejected: r.rejected_rows, imported: written }),
      { id: 'import-summary', 'data-imported': String(written), 'data-rejected': String(r.rejected_rows) }),
    r.dry_run ? h('p', { class: 'muted' }, t('dryRunNote')) : null,
    r.ignored_columns.length ? h('p', { class: 'muted' }, `${t('ignoredColumns')}: ${r.ignored_columns.join('、')}`) : null,
    r.errors.length ? table([t('row'), t('column'), t('rule'), t('message')],
      r.errors.map((e) => h('tr', { class: 'row-error' }, h('td', {}, String(e.row)), h('td', {}, e.column || e.field),
        h('td', {}, h('code', {}, e.rule)), h('td', {}, lang === 'en' ? e.message_en : e.message)))) : null,
    written ? h('p', { id: 'import-ids' }, `${t('importedIds')}: ${r.imported.join(' ')}`) : null);
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
    field(t('avoidAgency'), 'avoid/agency', 'input', { autocomplete: 'off' }),
    field(t('avoidExperts'), 'avoid/experts', 'textarea', { rows: 2 }),
    h('div', { class: 'actions' }, h('h3', {}, t('policyTitle'))),
    h('p', { class: 'actions muted' }, t('policyHint')),
    field(t('remoteWeight'), 'policy/remote_weight', 'input', { type: 'number', min: 1 }),
    field(t('localMax'), 'policy/local_max', 'input', { type: 'number', min: 0 }),
    field(t('maxPerEmployer'), 'policy/max_per_employer', 'input', { type: 'number', min: 1 }),
    h('div', { class: 'actions' }, h('h3', {}, t('approvalTitle'))),
    h('p', { class: 'actions muted' }, t('approvalHint')),
    field(t('supervisorToken'), 'approval/supervisor_token', 'input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }),
    field(t('approvalReason'), 'approval/reason', 'input', { autocomplete: 'off' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'draw-submit' }, t('submitDraw'))),
    formError());
  onSubmit(form, async (v) => {
    const body = {
      project: { id: v('project/id'), name: v('project/name'), region: v('project/region'), tenderer: v('project/tenderer'), bid_section: v('project/bid_section') },
      evaluation: { start: beijingToUtc(v('evaluation/start')), end: beijingToUtc(v('evaluation/end')), venue: v('evaluation/venue') },
      panel: [...groups.children].map((_, k) => ({
        specialty: v(`panel/${k}/specialty`), count: Number(v(`panel/${k}/count`)), reserve: Number(v(`panel/${k}/reserve`)),
      })),
      representatives: Number(v('representatives')),
    };
    const bidders = v('avoid/bidders').split(/\s+/).filter(Boolean);
    const experts = v('avoid/experts').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [id, ...why] = l.split(/\s+/);
      return { id, reason: why.join(' ') };
    });
    const avoid = {};
    if (bidders.length) avoid.bidders = bidders;
    if (v('avoid/agency')) avoid.agency = v('avoid/agency');
    if (experts.length) avoid.experts = experts;
    if (Object.keys(avoid).length) body.avoid = avoid;
    const policy = {};
    for (const k of ['remote_weight', 'local_max', 'max_per_employer']) {
      if (v(`policy/${k}`) !== '') policy[k] = Number(v(`policy/${k}`));
    }
    if (Object.keys(policy).length) body.policy = policy;
    // The supervisor types their own token here; the API checks it.
    if (v('approval/supervisor_token') || v('approval/reason')) {
      body.approval = { supervisor_token: v('approval/supervisor_token'), reason: v('approval/reason') };
    }
    const d = await api('POST', '/api/v1/draws', { body });
    location.hash = `#/draws/${encodeURIComponent(d.id)}`;
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

/** The members table; refreshed in place while the page is open. */
function membersTable(d, ctx, onSignIn) {
  const rows = d.members.map((m) => h('tr', { 'data-pseudonym': m.pseudonym, 'data-seat': String(m.seat) },
    h('td', {}, m.pseudonym), h('td', {}, String(m.group + 1)), h('td', {}, state(m.drawn_as)),
    h('td', { class: 'member-state', 'data-state': m.state }, state(m.state)),
    h('td', {}, m.seat ? t('yes') : t('no')),
    h('td', {}, m.invitation
      ? [h('span', { class: 'answer', 'data-answer': m.invitation.answer ?? 'open' }, m.invitation.answer ? state(m.invitation.answer) : t('awaiting')),
        ` · ${t('deadline')} ${showTime(m.invitation.deadline)}`, m.invitation.delivered ? '' : ` · ${t('undelivered')}`]
      : ''),
    h('td', {}, ctx.caps.request && m.seat && m.state !== 'signed_in' && d.state === 'revealed'
      ? h('button', { type: 'button', class: 'sign-in', 'data-pseudonym': m.pseudonym, onclick: () => onSignIn(m.pseudonym) },
        t('signInAction'), h('span', { class: 'muted' }, ` ${m.pseudonym}`))
      : '')));
  return table([t('pseudonym'), t('groupCol'), t('drawnAs'), t('state'), t('seat'), t('invitation'), ''], rows);
}

/** Poll every few seconds while this view is shown and the panel can still
 * change (answers, deadlines, substitutions): polling is enough here. */
const POLL_MS = 3000;

export async function drawDetail(main, ctx, id) {
  let d = await api('GET', `/api/v1/draws/${encodeURIComponent(id)}`);
  const live = h('div', { id: 'draw-status', 'aria-live': 'polite' });
  const stateLine = h('p', {});
  const membersBox = h('div', { id: 'members' });
  const recordBox = h('p', { id: 'record-link-box' });
  const seen = new Map();
  const changes = h('ul', { id: 'draw-changes', 'aria-live': 'polite' });
  const signIn = async (pseudonym) => {
    const r = await api('POST', `/api/v1/draws/${encodeURIComponent(d.id)}/members/${encodeURIComponent(pseudonym)}/sign-in`, { body: {} });
    await refresh();
    live.prepend(status('good', r.unsealed ? t('unsealed') : t('signedIn', { p: r.pseudonym })));
  };
  const render = () => {
    put(stateLine, `${t('state')}: `, h('strong', { id: 'draw-state', 'data-state': d.state }, state(d.state)),
      ` · ${t('candidates')}: ${d.candidate_count}`,
      d.members.length ? h('span', { id: 'draw-sealed', 'data-sealed': String(d.sealed) }, ` · ${d.sealed ? t('sealed') : t('unsealedShort')}`) : null,
      d.supplementary.length ? ` · ${t('supplementary')}: ${d.supplementary.join(', ')}` : null);
    put(membersBox, d.members.length ? [h('h3', {}, t('members')), membersTable(d, ctx, signIn)] : null);
    put(recordBox, d.members.length && !d.sealed
      ? h('a', { href: `#/record/${encodeURIComponent(d.id)}`, id: 'record-link' }, t('printRecord')) : null);
    // What changed since the page opened: answers and seats (by pseudonym).
    for (const m of d.members) {
      const before = seen.get(m.pseudonym);
      const now = `${m.state}/${m.seat}`;
      if (before !== undefined && before !== now) {
        const key = m.seat && !before.endsWith('/true') ? 'changeSeated' : m.state === 'declined' || m.state === 'no_answer' ? 'changeLeft' : 'changeState';
        changes.append(h('li', {}, `${showTime(new Date().toISOString())} ${t(key, { p: m.pseudonym, s: state(m.state) })}`));
      }
      seen.set(m.pseudonym, now);
    }
  };
  // Only a change re-renders, so a control is never swapped under the
  // user's pointer for nothing.
  const refresh = async () => {
    const next = await api('GET', `/api/v1/draws/${encodeURIComponent(id)}`);
    if (JSON.stringify(next) === JSON.stringify(d)) return;
    d = next;
    render();
  };
  const parts = [h('h2', {}, t('draw', { id: d.id })),
    h('p', {}, `${t('project')}: ${d.project_id} / ${d.bid_section} · ${t('region')}: ${d.region} · ${t('window')}: ${showTime(d.evaluation_start)} – ${showTime(d.evaluation_end)} · ${d.venue}`),
    stateLine, hashes(d), live];
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
  parts.push(membersBox, h('h3', {}, t('changes')), changes);
  if (ctx.caps.request && d.state === 'revealed' && d.panel_id === d.id) parts.push(declineForm(d, refresh));
  // Supervisors and admins read a sealed panel (logged as a sealed read);
  // operators only after it unseals.
  if (d.members.length && (ctx.caps.sealed || (ctx.caps.request && !d.sealed))) {
    const out = h('div', { id: 'sealed-panel' });
    parts.push(h('p', {}, h('button', { type: 'button', id: 'view-panel', onclick: async () => {
      const members = await api('GET', `/api/v1/draws/${encodeURIComponent(d.id)}/panel`);
      put(out, table([t('pseudonym'), t('expertId'), t('name'), t('state')],
        members.map((m) => h('tr', {}, h('td', {}, m.pseudonym), h('td', {}, m.expert_id), h('td', {}, m.name), h('td', {}, state(m.state))))));
    } }, d.sealed ? t('viewSealed') : t('viewPanel'))), out);
  }
  parts.push(recordBox);
  if (ctx.caps.audit && d.state !== 'committed') {
    parts.push(h('p', {}, h('a', { href: `#/replay/${encodeURIComponent(d.id)}` }, t('nav.replay'))));
  }
  put(main, ...parts);
  render();
  const poll = async () => {
    if (!main.isConnected) return;
    if (d.state === 'revealed' && d.sealed) {
      try { await refresh(); } catch { /* the next poll tries again */ }
    }
    if (main.isConnected && d.state !== 'superseded') setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

/** A decline taken by phone: the seat, the evidence reference (call log,
 * recording), an optional reason; the API replaces the member by SPEC §6. */
function declineForm(d, refresh) {
  const seats = d.members.filter((m) => m.seat && m.state !== 'signed_in');
  const form = h('form', { class: 'grid', novalidate: true, id: 'decline-form' },
    h('div', { class: 'actions' }, h('h3', {}, t('phoneDecline'))),
    field(t('pseudonym'), 'pseudonym', 'select', { required: true },
      [h('option', { value: '' }, '—'), ...seats.map((m) => h('option', { value: m.pseudonym }, m.pseudonym))]),
    field(t('evidence'), 'evidence', 'input', { required: true, autocomplete: 'off' }),
    field(t('reasonOptional'), 'reason', 'input', { autocomplete: 'off' }),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name: 'conflict_of_interest' }), ` ${t('conflictOfInterest')}`)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'decline-submit' }, t('recordDecline'))),
    formError());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const p = form.elements.pseudonym.value;
    const body = { evidence: form.elements.evidence.value.trim(), conflict_of_interest: form.elements.conflict_of_interest.checked };
    if (form.elements.reason.value.trim()) body.reason = form.elements.reason.value.trim();
    try {
      const r = await api('POST', `/api/v1/draws/${encodeURIComponent(d.id)}/members/${encodeURIComponent(p)}/decline`, { body });
      form.querySelector('.form-error').textContent = '';
      form.reset();
      document.getElementById('draw-status')?.prepend(status('good',
        t('declineRecorded', { p: r.pseudonym, r: r.replacement ?? '—' })));
      await refresh();
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
  return form;
}

/** The panel record (抽取记录表) for printing, once the panel is unsealed:
 * the draw's id, hashes and seed, the members by name, and a QR code of
 * the receipt link (made by the server, GET /draws/{id}/receipt/qr). */
export async function record(main, ctx, id) {
  const enc = encodeURIComponent(id);
  const [d, members, qr] = await Promise.all([
    api('GET', `/api/v1/draws/${enc}`),
    api('GET', `/api/v1/draws/${enc}/panel`),
    api('GET', `/api/v1/draws/${enc}/receipt/qr`, { as: 'text' }),
  ]);
  // The link as the QR code holds it (the centre's public address).
  const link = new DOMParser().parseFromString(qr, 'image/svg+xml').querySelector('title')?.textContent ?? '';
  const served = members.filter((m) => m.seat);
  const others = members.filter((m) => !m.seat);
  const row = (m) => h('tr', {}, h('td', {}, String(m.group + 1)), h('td', {}, m.pseudonym), h('td', {}, m.name),
    h('td', {}, m.expert_id), h('td', {}, state(m.drawn_as)), h('td', {}, state(m.state)));
  const heads = [t('groupCol'), t('pseudonym'), t('name'), t('expertId'), t('drawnAs'), t('state')];
  put(main, h('article', { id: 'panel-record', class: 'record' },
    h('h2', {}, t('recordTitle')),
    h('div', { class: 'record-head' },
      h('dl', { class: 'record-facts' },
        h('dt', {}, t('drawId')), h('dd', { id: 'record-draw-id' }, d.id),
        h('dt', {}, t('project')), h('dd', {}, `${d.project_id} / ${t('bidSection')} ${d.bid_section}`),
        h('dt', {}, t('region')), h('dd', {}, d.region),
        h('dt', {}, t('window')), h('dd', {}, `${showTime(d.evaluation_start)} – ${showTime(d.evaluation_end)}`),
        h('dt', {}, t('venue')), h('dd', {}, d.venue),
        h('dt', {}, t('statementHash')), h('dd', { class: 'hash', id: 'record-statement-hash' }, d.statement_hash),
        h('dt', {}, t('nonceCommitment')), h('dd', { class: 'hash' }, d.nonce_commitment),
        h('dt', {}, t('seed')), h('dd', { class: 'hash', id: 'record-seed' }, d.seed ?? ''),
        d.supplementary.length ? [h('dt', {}, t('supplementary')), h('dd', {}, d.supplementary.join(', '))] : null),
      h('figure', { class: 'qr' },
        h('img', { id: 'record-qr', alt: t('qrAlt'), width: 180, height: 180, src: `data:image/svg+xml;base64,${btoa(qr)}` }),
        h('figcaption', { class: 'hash', id: 'record-receipt-link' }, link))),
    h('h3', {}, t('recordServed')), table(heads, served.map(row)),
    others.length ? [h('h3', {}, t('recordOthers')), table(heads, others.map(row))] : null,
    h('p', { class: 'muted' }, t('recordPrinted', { at: showTime(new Date().toISOString()) })),
    h('div', { class: 'signatures' }, h('span', {}, `${t('signOperator')}：`), h('span', {}, `${t('signSupervisor')}：`))),
  h('p', { class: 'no-print' }, h('button', { type: 'button', id: 'print-record', onclick: () => window.print() }, t('print')),
    ' ', h('a', { href: `#/draws/${enc}` }, t('back'))));
}
