// Supervisor pages: the audit log, the checkpoint with the offline check,
// and a draw replayed in the browser by replay.js (SPEC sections 2-6).
import { api, ApiProblem } from './api.js';
import { h, put, field, table, status, clearErrors, showProblem } from './dom.js';
import { t, lang, showTime } from './i18n.js';
import * as R from './replay.js';

const KINDS = ['draw.commit', 'draw.reveal', 'draw.substitute', 'draw.supersede', 'draw.award', 'panel.view', 'panel.unseal',
  'draw.approve_relaxation', 'draw.approve_concurrent',
  'invitation.answer', 'expert.apply', 'expert.admission', 'token.create', 'log.key_rotation'];

/** One page of the log: [{line, entry}] by seq. */
async function entries(from, limit) {
  const text = await api('GET', `/api/v1/audit/entries?from=${from}&limit=${limit}`, { as: 'text' });
  return text.split('\n').filter((l) => l !== '').map((line) => ({ line, entry: JSON.parse(line) }));
}

function summary(data) {
  const s = JSON.stringify(data);
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}

export async function audit(main) {
  const list = h('datalist', { id: 'kinds' }, KINDS.map((k) => h('option', { value: k })));
  const form = h('form', { class: 'grid', novalidate: true, id: 'audit-filters', role: 'search' },
    field(t('from'), 'from', 'input', { type: 'number', min: 0, value: '0' }),
    field(t('limit'), 'limit', 'input', { type: 'number', min: 1, max: 10000, value: '200' }),
    field(t('kind'), 'kind', 'input', { list: 'kinds', autocomplete: 'off' }),
    field(t('actor'), 'actor', 'input', { autocomplete: 'off' }),
    field(t('drawId'), 'draw', 'input', { autocomplete: 'off' }),
    h('div', { class: 'field' }, h('label', {}, h('input', { type: 'checkbox', name: 'marked' }), ` ${t('onlyMarked')}`)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('load'))),
    h('p', { class: 'error form-error', tabindex: '-1' }), list);
  const out = h('div', { id: 'audit-results', 'aria-live': 'polite' });
  const load = async () => {
    clearErrors(form);
    const from = form.elements.from.value || '0';
    const limit = form.elements.limit.value || '200';
    let page;
    try {
      page = await entries(from, limit);
    } catch (e) {
      if (e instanceof ApiProblem) { showProblem(form, e, lang); return; }
      throw e;
    }
    const kind = form.elements.kind.value.trim();
    const actor = form.elements.actor.value.trim();
    const draw = form.elements.draw.value.trim();
    const onlyMarked = form.elements.marked.checked;
    const revealed = new Set(page.filter((x) => x.entry.kind === 'draw.reveal').map((x) => x.entry.data?.draw_id));
    const shown = page.filter(({ entry: e }) => (!kind || e.kind === kind) && (!actor || e.actor.includes(actor))
      && (!draw || e.data?.draw_id === draw || e.data?.parent === draw));
    const rows = shown.map(({ entry: e }) => {
      const abandoned = e.kind === 'draw.commit' && !revealed.has(e.data?.draw_id);
      const sealedRead = e.kind === 'panel.view';
      const approval = e.kind === 'draw.approve_relaxation' || e.kind === 'draw.approve_concurrent';
      const note = abandoned ? t('abandoned') : sealedRead ? t('sealedRead') : approval ? t('approvalEntry') : '';
      const mark = abandoned ? 'abandoned' : sealedRead ? 'sealed-read' : approval ? 'approval' : null;
      if (onlyMarked && !mark) return null;
      return h('tr', { class: mark ? 'highlight' : null, 'data-mark': mark },
        h('td', {}, String(e.seq)), h('td', {}, showTime(e.time)), h('td', {}, e.kind), h('td', {}, e.actor),
        h('td', {}, note ? h('strong', {}, `${note}: `) : null, h('code', {}, summary(e.data))));
    });
    const last = page.length ? page[page.length - 1].entry.seq : null;
    const kept = rows.filter(Boolean);
    put(out, kept.length ? table([t('seq'), t('time'), t('kind'), t('actor'), t('data')], kept) : h('p', {}, t('none')),
      last !== null && page.length === Number(limit)
        ? h('button', { type: 'button', onclick: () => { form.elements.from.value = String(last + 1); load(); } }, t('next')) : null);
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  put(main, h('h2', {}, t('audit')), form, out);
  await load();
}

export async function checkpoint(main) {
  const [cp, vkey] = await Promise.all([
    api('GET', '/api/v1/audit/checkpoint', { as: 'text', anonymous: true }),
    api('GET', '/api/v1/audit/vkey', { as: 'text', anonymous: true }),
  ]);
  const base = location.origin;
  const commands = [
    `curl -s "${base}/api/v1/audit/vkey" > log.vkey`,
    `curl -s "${base}/api/v1/audit/checkpoint" > cp.txt`,
    `curl -s -H "Authorization: Bearer $TOKEN" "${base}/api/v1/audit/export" > log.jsonl`,
    'draw-audit verify --export log.jsonl --vkey @log.vkey --checkpoint cp.txt',
  ].join('\n');
  put(main, h('h2', {}, t('checkpointTitle')),
    h('h3', {}, t('checkpoint')), h('pre', { id: 'checkpoint-text' }, cp),
    h('h3', {}, t('vkey')), h('pre', { id: 'vkey-text' }, vkey.trim()),
    h('h3', {}, t('verifyCmd')), h('pre', { id: 'verify-command' }, commands));
}

/** The oversight report of a period: fetched with the token (never in a
 * URL) and offered as a self-contained HTML file. */
export async function oversight(main) {
  const today = new Date().toISOString().slice(0, 10);
  const half = new Date(Date.now() - 182 * 86400000).toISOString().slice(0, 10);
  const form = h('form', { class: 'grid', novalidate: true, id: 'oversight-form' },
    field(t('periodFrom'), 'from', 'input', { type: 'date', value: half }),
    field(t('periodTo'), 'to', 'input', { type: 'date', value: today }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('makeReport'))),
    h('p', { class: 'error form-error', tabindex: '-1' }));
  const out = h('div', { id: 'oversight-result', 'aria-live': 'polite' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const q = `from=${encodeURIComponent(form.elements.from.value)}&to=${encodeURIComponent(form.elements.to.value)}`;
    let html;
    try {
      html = await api('GET', `/api/v1/oversight/report?${q}`, { as: 'text' });
    } catch (e) {
      if (e instanceof ApiProblem) { showProblem(form, e, lang); return; }
      throw e;
    }
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    const name = `oversight-${form.elements.from.value}-${form.elements.to.value}.html`;
    put(out, h('a', { href: url, download: name, id: 'oversight-download' }, `${t('downloadReport')} ${name}`));
  });
  put(main, h('h2', {}, t('oversightTitle')), form, out,
    h('h3', {}, t('reportCli')),
    h('pre', {}, 'expert-api report --from 2026-01-01 --to 2026-06-30 --out report.html'));
}

/** Every entry of the log, page by page. */
async function wholeLog(onProgress = () => {}) {
  const all = [];
  for (let from = 0; ; ) {
    const page = await entries(from, 10000);
    all.push(...page);
    onProgress(all.length);
    if (page.length < 10000) return all;
    from = page[page.length - 1].entry.seq + 1;
  }
}

function check(label, ok, detail) {
  return h('li', { class: ok ? 'ok' : 'bad' }, `${ok ? '✓' : '✗'} ${label}`, ok ? '' : ` — ${detail}`);
}

async function replayDraw(id, onProgress) {
  const log = await wholeLog(onProgress);
  const commit = log.find((x) => x.entry.kind === 'draw.commit' && x.entry.data?.draw_id === id);
  const reveal = log.find((x) => x.entry.kind === 'draw.reveal' && x.entry.data?.draw_id === id);
  if (!reveal) return [status('bad', t('replayMissing'), { id: 'replay-verdict' })];
  // The reveal's statement is read from the leaf's own bytes by the strict
  // parser, so what is hashed is exactly what the log holds.
  const data = R.parseStrict(reveal.line).get('data');
  const server = reveal.entry.data;
  let mine;
  try {
    mine = await R.replay(data.get('statement'), data.get('nonce'), data.get('beacon'));
  } catch (e) {
    if (e instanceof R.InvalidStatement || e instanceof R.ParseError) {
      return [status('bad', t('replayInvalid', { rule: e.rule, message: e.message }), { id: 'replay-verdict' })];
    }
    throw e;
  }
  const checks = [
    [t('statementHash'), !!commit && mine.statementHash === commit.entry.data.statement_hash, `${mine.statementHash} ≠ ${commit?.entry.data.statement_hash}`],
    [t('nonceCommitment'), !!commit && mine.nonceCommitment === commit.entry.data.nonce_commitment, `${mine.nonceCommitment} ≠ ${commit?.entry.data.nonce_commitment}`],
    [t('seed'), mine.seed === server.seed, `${mine.seed} ≠ ${server.seed}`],
    ['result', R.sameResult(mine.result, server.result), `${JSON.stringify(mine.result)} ≠ ${JSON.stringify(server.result)}`],
  ];
  // SPEC section 6 for every substitution of this draw's own members.
  const panel = new R.Panel(mine.statement, mine.result);
  const subs = log.filter((x) => x.entry.kind === 'draw.substitute' && x.entry.data?.draw_id === id).map((x) => x.entry.data);
  const subItems = subs.map((s) => {
    if (!panel.groups[s.group]?.includes(s.out)) {
      return h('li', {}, t('substitutionSkipped', { out: s.out, draw: s.supplementary_draw ?? '' }));
    }
    const want = panel.substitute(s.group, s.out);
    const ok = want === (s.in ?? null);
    checks.push([`${t('substitutions')} ${s.out}`, ok, `${want} ≠ ${s.in}`]);
    return h('li', {}, ok ? t('substitutionOk', { out: s.out, in: s.in ?? '—' }) : t('substitutionBad', { out: s.out, want, got: s.in }));
  });
  const failed = checks.filter(([, ok]) => !ok).map(([label]) => label);
  return [
    failed.length === 0
      ? status('good', `${id}: ${t('replayMatch')}`, { id: 'replay-verdict', 'data-verdict': 'match' })
      : status('bad', `${id}: ${t('replayDiffer', { what: failed.join(', ') })}`, { id: 'replay-verdict', 'data-verdict': 'differ' }),
    h('ul', { id: 'replay-checks' }, checks.map(([l, ok, d]) => check(l, ok, d))),
    h('dl', {}, h('dt', {}, t('seed')), h('dd', { class: 'hash' }, mine.seed),
      h('dt', {}, 'primaries'), h('dd', { id: 'replay-primaries' }, mine.result.primaries.map((g) => g.join(' ')).join(' | ')),
      h('dt', {}, 'reserves'), h('dd', {}, mine.result.reserves.map((g) => g.join(' ')).join(' | '))),
    subs.length ? [h('h3', {}, t('substitutions')), h('ul', {}, subItems)] : null,
  ];
}

export async function replayPage(main, ctx, id) {
  const out = h('div', { id: 'replay-out', 'aria-live': 'polite' });
  const form = h('form', { class: 'grid', novalidate: true, id: 'replay-form' },
    field(t('drawId'), 'draw_id', 'input', { required: true, value: id ?? '', autocomplete: 'off' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'replay-run' }, t('replayRun'))));
  const run = async (drawId) => {
    const bar = h('progress', { id: 'replay-progress' });
    const note = h('span', { class: 'muted', 'aria-live': 'polite' }, t('loading'));
    put(out, h('p', {}, bar, ' ', note));
    put(out, ...(await replayDraw(drawId, (n) => { note.textContent = t('replayReading', { n }); })).flat().filter(Boolean));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = form.elements.draw_id.value.trim();
    if (v) location.hash = `#/replay/${encodeURIComponent(v)}`;
  });
  put(main, h('h2', {}, t('replayTitle')), h('p', {}, t('replayIntro')), form, out);
  if (id) await run(id);
}
