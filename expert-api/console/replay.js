// expert-draw/1 replayed in the browser: an independent implementation of
// docs/SPEC-expert-draw-1.md sections 2-6, written from the SPEC alone.
// SHA-256 comes from WebCrypto, ChaCha20 is below, integers are BigInt.
// It runs unchanged in a browser and in node (tests/console/replay_vectors.mjs).

// ---------------------------------------------------------------- JSON ----

/** A JSON number as written: `int` is its BigInt value when it is written
 * as an integer (no fraction, no exponent), else null. */
export class JNum {
  constructor(text) {
    this.text = text;
    this.int = /^-?(0|[1-9][0-9]*)$/.test(text) ? BigInt(text) : null;
  }
}

export class ParseError extends Error {
  constructor(message, rule = 5) {
    super(message);
    this.rule = rule;
  }
}

function wellFormed(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Strict JSON: objects become Maps (insertion order kept), numbers JNum;
 * a duplicate key or a lone surrogate is a rule 5 error. */
export function parseStrict(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (what) => {
    throw new ParseError(`JSON: ${what} at offset ${i}`);
  };
  const value = (depth) => {
    if (depth > 512) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map();
      ws();
      if (text[i] === '}') { i++; return m; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = string();
        if (m.has(k)) throw new ParseError(`duplicate key "${k}"`);
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        m.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return m; }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('unexpected character');
    i += m[0].length;
    return new JNum(m[0]);
  };
  const string = () => {
    i++; // opening quote
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('unterminated string');
      if (c === '"') { i++; break; }
      if (c === '\\') {
        const e = text[i + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { out += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('bad escape');
      }
      if (c.charCodeAt(0) < 0x20) fail('control character in string');
      out += c;
      i++;
    }
    if (!wellFormed(out)) throw new ParseError('lone surrogate in a string');
    return out;
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

/** A plain JS value (from JSON.parse, integers only) as the strict model. */
export function fromPlain(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return new JNum(String(v));
  if (Array.isArray(v)) return v.map(fromPlain);
  return new Map(Object.entries(v).map(([k, x]) => [k, fromPlain(x)]));
}

/** RFC 8785 canonical JSON of the strict model (integers only, rule 5). */
export function jcs(v) {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JNum) {
    if (v.int === null) throw new ParseError(`number ${v.text} is not an integer`);
    return v.int.toString();
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  // Keys by UTF-16 code units: the default string sort.
  const keys = [...v.keys()].sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(v.get(k))}`).join(',')}}`;
}

// ------------------------------------------------------------- hashing ----

const utf8 = new TextEncoder();

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function hex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function unhex(s) {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error(`not lowercase hex: ${s.slice(0, 20)}`);
  return new Uint8Array(s.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** SPEC section 4: the seed from the statement hash, nonce and beacon. */
export async function seedOf(statementHash, nonce, beacon) {
  return sha256(concat(utf8.encode('expert-draw/1 seed'), new Uint8Array([0]),
    statementHash, nonce, await sha256(utf8.encode(beacon))));
}

// ------------------------------------------------------------ ChaCha20 ----

const rotl = (x, n) => ((x << n) | (x >>> (32 - n))) >>> 0;

function quarter(s, a, b, c, d) {
  s[a] = (s[a] + s[b]) >>> 0; s[d] = rotl(s[d] ^ s[a], 16);
  s[c] = (s[c] + s[d]) >>> 0; s[b] = rotl(s[b] ^ s[c], 12);
  s[a] = (s[a] + s[b]) >>> 0; s[d] = rotl(s[d] ^ s[a], 8);
  s[c] = (s[c] + s[d]) >>> 0; s[b] = rotl(s[b] ^ s[c], 7);
}

/** The ChaCha20 keystream (RFC 8439 block function, 20 rounds) with the
 * 32-byte key, an all-zero nonce and block counter from 0, read as
 * little-endian u64 words: `next()` returns a BigInt. */
export class ChaCha20 {
  constructor(key) {
    const view = new DataView(key.buffer, key.byteOffset, 32);
    this.input = new Uint32Array(16);
    this.input.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
    for (let k = 0; k < 8; k++) this.input[4 + k] = view.getUint32(4 * k, true);
    this.counter = 0;
    this.block = new Uint32Array(16);
    this.at = 16;
  }

  refill() {
    const inp = this.input;
    inp[12] = this.counter >>> 0;
    inp[13] = Math.floor(this.counter / 2 ** 32) >>> 0;
    const s = Uint32Array.from(inp);
    for (let r = 0; r < 10; r++) {
      quarter(s, 0, 4, 8, 12); quarter(s, 1, 5, 9, 13);
      quarter(s, 2, 6, 10, 14); quarter(s, 3, 7, 11, 15);
      quarter(s, 0, 5, 10, 15); quarter(s, 1, 6, 11, 12);
      quarter(s, 2, 7, 8, 13); quarter(s, 3, 4, 9, 14);
    }
    for (let k = 0; k < 16; k++) this.block[k] = (s[k] + inp[k]) >>> 0;
    this.counter++;
    this.at = 0;
  }

  next() {
    if (this.at >= 16) this.refill();
    const lo = this.block[this.at];
    const hi = this.block[this.at + 1];
    this.at += 2;
    return BigInt(lo) | (BigInt(hi) << 32n);
  }
}

const TWO64 = 1n << 64n;

/** SPEC section 4: uniform(n) for 1 <= n < 2^64, by rejection. */
export function uniform(stream, n) {
  const rem = (TWO64 - n) % n;
  const limit = TWO64 - 1n - rem;
  for (;;) {
    const x = stream.next();
    if (x <= limit) return x % n;
  }
}

// ----------------------------------------------------------- statement ----

export class InvalidStatement extends Error {
  constructor(rule, message) {
    super(`rule ${rule}: ${message}`);
    this.rule = rule;
  }
}

const isObj = (v) => v instanceof Map;
const isInt = (v) => v instanceof JNum && v.int !== null;
const nonEmptyStr = (v) => typeof v === 'string' && v.length > 0;
const MAX_SAFE = (1n << 53n) - 1n;

function utf8Less(a, b) {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let k = 0; k < Math.min(x.length, y.length); k++) {
    if (x[k] !== y[k]) return x[k] < y[k];
  }
  return x.length < y.length;
}

function firstBadNumber(v) {
  if (v instanceof JNum) {
    const bad = v.int === null || v.int > MAX_SAFE || v.int < -MAX_SAFE;
    return bad ? v.text : null;
  }
  if (Array.isArray(v)) {
    for (const x of v) { const b = firstBadNumber(x); if (b !== null) return b; }
  } else if (isObj(v)) {
    for (const x of v.values()) { const b = firstBadNumber(x); if (b !== null) return b; }
  }
  return null;
}

/** SPEC section 2, rules 1 to 5 in order; returns the typed statement or
 * throws InvalidStatement naming the first rule broken. */
export function validate(st) {
  const bad = (rule, m) => { throw new InvalidStatement(rule, m); };
  // Rule 1.
  if (!isObj(st) || st.get('spec') !== 'expert-draw/1') bad(1, '`spec` must be "expert-draw/1"');
  const project = st.get('project');
  if (!isObj(project) || !nonEmptyStr(project.get('region'))) bad(1, '`project.region` must be a non-empty string');
  // Rule 2.
  const panel = st.get('panel');
  if (!Array.isArray(panel) || panel.length === 0) bad(2, '`panel` must be a non-empty array');
  panel.forEach((g, k) => {
    if (!isObj(g)) bad(2, `panel[${k}] must be an object`);
    if (!nonEmptyStr(g.get('specialty'))) bad(2, `panel[${k}].specialty must be a non-empty string`);
    if (!isInt(g.get('count')) || g.get('count').int < 1n) bad(2, `panel[${k}].count must be an integer >= 1`);
    if (!isInt(g.get('reserve')) || g.get('reserve').int < 0n) bad(2, `panel[${k}].reserve must be an integer >= 0`);
  });
  // Rule 3.
  const policy = st.get('policy');
  const pol = (name) => (isObj(policy) && isInt(policy.get(name)) ? policy.get(name).int : null);
  const rw = pol('remote_weight');
  if (rw === null || rw < 1n || rw > 1000n) bad(3, '`policy.remote_weight` must be an integer in 1..=1000');
  const lm = pol('local_max');
  if (lm === null || lm < 0n) bad(3, '`policy.local_max` must be an integer >= 0');
  const mpe = pol('max_per_employer');
  if (mpe === null || mpe < 1n) bad(3, '`policy.max_per_employer` must be an integer >= 1');
  // Rule 4.
  const cands = st.get('candidates');
  if (!Array.isArray(cands)) bad(4, '`candidates` must be an array');
  let previous = null;
  cands.forEach((c, k) => {
    if (!isObj(c)) bad(4, `candidates[${k}] must be an object`);
    const id = c.get('id');
    if (typeof id === 'string') {
      if (id === '') bad(4, `candidates[${k}].id is empty`);
      if (previous !== null && !utf8Less(previous, id)) bad(4, `candidates not sorted strictly ascending by id at ${k}`);
      previous = id;
    }
    const sp = c.get('specialties');
    if (!Array.isArray(sp) || sp.length === 0) bad(4, `candidates[${k}].specialties must be a non-empty array`);
    const r = c.get('recent');
    if (!isInt(r) || r.int < 0n || r.int > 1000000n) bad(4, `candidates[${k}].recent must be an integer in 0..=1000000`);
  });
  // Rule 5.
  const n = firstBadNumber(st);
  if (n !== null) bad(5, `number ${n} is not an integer within ±(2^53 − 1)`);
  cands.forEach((c, k) => {
    for (const f of ['id', 'region', 'employer']) {
      if (typeof c.get(f) !== 'string') bad(5, `candidates[${k}].${f} must be a string`);
    }
    if (!c.get('specialties').every((s) => typeof s === 'string')) bad(5, `candidates[${k}].specialties must hold strings`);
  });
  panel.forEach((g, k) => {
    if (g.get('count').int > 10000n) bad(5, `panel[${k}].count must be at most 10000`);
    if (g.get('reserve').int > 10000n) bad(5, `panel[${k}].reserve must be at most 10000`);
  });
  if (lm > 10000n) bad(5, '`policy.local_max` must be at most 10000');

  const region = project.get('region');
  return {
    region,
    panel: panel.map((g) => ({ specialty: g.get('specialty'), count: Number(g.get('count').int), reserve: Number(g.get('reserve').int) })),
    policy: { remoteWeight: rw, localMax: Number(lm), maxPerEmployer: Number(mpe) },
    candidates: cands.map((c) => {
      const local = c.get('region') === region;
      return {
        id: c.get('id'),
        employer: c.get('employer'),
        specialties: c.get('specialties'),
        local,
        // SPEC section 3: floor(1000000 * m / (1 + recent)).
        weight: (1000000n * (local ? 1n : rw)) / (1n + c.get('recent').int),
      };
    }),
  };
}

// ----------------------------------------------------------- selection ----

const matches = (c, specialty) => c.specialties.some((s) => s.startsWith(specialty));

/** SPEC section 4 pick: null when E is empty or its weights sum to 0
 * (no word taken). */
function pick(stream, list) {
  let total = 0n;
  for (const c of list) total += c.weight;
  if (total === 0n) return null;
  const r = uniform(stream, total);
  let run = 0n;
  for (const c of list) {
    run += c.weight;
    if (run > r) return c;
  }
  return null;
}

/** SPEC section 5: primaries then reserves. */
export function select(statement, seed) {
  const stream = new ChaCha20(seed);
  const { panel, policy, candidates } = statement;
  const used = new Set();
  let local = 0;
  const perEmployer = new Map();
  const primaries = panel.map(() => []);
  const reserves = panel.map(() => []);
  panel.forEach((g, k) => {
    for (let n = 0; n < g.count; n++) {
      const e = candidates.filter((c) => matches(c, g.specialty) && !used.has(c.id)
        && !(c.local && local >= policy.localMax)
        && (perEmployer.get(c.employer) ?? 0) < policy.maxPerEmployer);
      const p = pick(stream, e);
      if (p === null) break;
      primaries[k].push(p.id);
      used.add(p.id);
      if (p.local) local++;
      perEmployer.set(p.employer, (perEmployer.get(p.employer) ?? 0) + 1);
    }
  });
  panel.forEach((g, k) => {
    for (let n = 0; n < g.reserve; n++) {
      const e = candidates.filter((c) => matches(c, g.specialty) && !used.has(c.id));
      const p = pick(stream, e);
      if (p === null) break;
      reserves[k].push(p.id);
      used.add(p.id);
    }
  });
  return { primaries, reserves };
}

/** SPEC section 6: the panel after a draw, replacing departures from the
 * group's reserves. */
export class Panel {
  constructor(statement, result) {
    this.byId = new Map(statement.candidates.map((c) => [c.id, c]));
    this.policy = statement.policy;
    this.groups = result.primaries.map((g) => [...g]);
    this.reserves = result.reserves;
    this.everPrimary = new Set(result.primaries.flat());
  }

  /** The replacement SPEC section 6 names for `out` leaving group `g`
   * (null: none qualifies), applied to the panel. */
  substitute(g, out) {
    const list = this.groups[g];
    const at = list?.indexOf(out) ?? -1;
    if (at < 0) throw new Error(`${out} is not a member of group ${g}`);
    const rest = this.groups.flat().filter((id) => id !== out).map((id) => this.byId.get(id));
    const locals = rest.filter((c) => c.local).length;
    const ofEmployer = (e) => rest.filter((c) => c.employer === e).length;
    const chosen = (this.reserves[g] ?? []).find((id) => {
      const c = this.byId.get(id);
      return !this.everPrimary.has(id)
        && !(c.local && locals >= this.policy.localMax)
        && ofEmployer(c.employer) < this.policy.maxPerEmployer;
    }) ?? null;
    if (chosen === null) {
      list.splice(at, 1);
    } else {
      list[at] = chosen;
      this.everPrimary.add(chosen);
    }
    return chosen;
  }
}

/** The whole replay of one reveal: statement (strict model), nonce (hex),
 * beacon (string). Throws InvalidStatement for an invalid statement. */
export async function replay(statementValue, nonceHex, beacon) {
  const statement = validate(statementValue);
  const statementHash = await sha256(utf8.encode(jcs(statementValue)));
  const nonce = unhex(nonceHex);
  const seed = await seedOf(statementHash, nonce, beacon);
  return {
    statement,
    statementHash: hex(statementHash),
    nonceCommitment: hex(await sha256(nonce)),
    seed: hex(seed),
    result: select(statement, seed),
  };
}

/** Results compared as canonical JSON: equal or the first difference. */
export function sameResult(a, b) {
  const text = (r) => JSON.stringify({ primaries: r.primaries, reserves: r.reserves });
  return text(a) === text(b);
}
