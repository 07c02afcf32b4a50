// Runs the console's JavaScript replay (expert-api/console/replay.js) over
// every case of the draw conformance vectors. Usage:
//   node replay_vectors.mjs <replay.js> <expert-draw-1.json>
// Prints one line per case and exits non-zero if any case differs.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [replayPath, vectorsPath] = process.argv.slice(2);
const R = await import(pathToFileURL(replayPath).href);
// The vectors file read with the strict parser, so that numbers keep how
// they are written (a float stays a float, 2^53 stays exact).
const doc = R.parseStrict(readFileSync(vectorsPath, 'utf8'));
const get = (m, ...path) => path.reduce((v, k) => (v instanceof Map ? v.get(k) : v?.[k]), m);
const plain = (v) => {
  if (v instanceof R.JNum) return Number(v.int);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  return v;
};

let failures = 0;
let cases = 0;
const check = (name, ok, detail) => {
  cases++;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: ${detail}`}`);
};

for (const v of get(doc, 'valid')) {
  const name = `valid/${get(v, 'name')}`;
  const expect = plain(get(v, 'expect'));
  let got;
  try {
    got = await R.replay(get(v, 'statement'), get(v, 'nonce'), get(v, 'beacon'));
  } catch (e) {
    check(name, false, `threw ${e.message}`);
    continue;
  }
  for (const field of ['statementHash', 'nonceCommitment', 'seed']) {
    const key = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    check(`${name} ${key}`, got[field] === expect[key], `${got[field]} != ${expect[key]}`);
  }
  check(`${name} result`, R.sameResult(got.result, expect.result),
    `${JSON.stringify(got.result)} != ${JSON.stringify(expect.result)}`);
  const panel = new R.Panel(got.statement, got.result);
  plain(get(v, 'substitutions') ?? []).forEach((s, k) => {
    let chosen;
    try {
      chosen = panel.substitute(s.group, s.out);
    } catch (e) {
      chosen = `error: ${e.message}`;
    }
    check(`${name} substitution ${k} (${s.out} out)`, chosen === s.in, `${chosen} != ${s.in}`);
  });
}

for (const v of get(doc, 'invalid')) {
  const name = `invalid/${get(v, 'name')} (rule ${plain(get(v, 'rule'))})`;
  const want = plain(get(v, 'rule'));
  let rule = null;
  try {
    const text = get(v, 'statement_text');
    const st = text !== undefined ? R.parseStrict(text) : get(v, 'statement');
    R.validate(st);
  } catch (e) {
    rule = e.rule ?? `error ${e.message}`;
  }
  check(name, rule === want, `rule ${rule}`);
}

const uni = get(doc, 'uniform');
const seed = R.unhex(get(uni, 'seed'));
for (const c of get(uni, 'cases')) {
  const n = BigInt(get(c, 'n'));
  const stream = new R.ChaCha20(seed);
  const got = get(c, 'outputs').map(() => R.uniform(stream, n).toString());
  const want = get(c, 'outputs');
  check(`uniform/${n}`, JSON.stringify(got) === JSON.stringify(want), `${got} != ${want}`);
}

console.log(`${cases - failures} of ${cases} checks passed`);
if (failures > 0 || cases === 0) process.exit(1);
