#!/usr/bin/env python3
"""expert_draw_1 -- an independent verifier for expert-draw/1.

What it is
    A second, independent implementation of the verifiable panel draw
    specified in docs/SPEC-expert-draw-1.md: RFC 8785 canonical JSON for the
    profile, the statement rules 1-5, the seed and nonce commitment, the
    ChaCha20 (RFC 8439) random stream, uniform(n), pick, selection (SPEC 5),
    substitution (SPEC 6) and the audit-log replay (SPEC 7).

    It was written from the SPEC alone, without reading the project's Rust
    code, so that agreement on the conformance vectors is evidence that the
    SPEC is complete and that the Rust implementation follows it. Python 3
    standard library only.

How to run it (from the workspace root)
    python3 tests/independent/expert_draw_1.py vectors expert-core/vectors/expert-draw-1.json
        check every conformance vector; prints failures, then a JSON summary
        line {"failed": f, "invalid": i, "uniform": u, "valid": v} counting the
        cases that passed; exit 0 if all passed, 1 otherwise.
    python3 tests/independent/expert_draw_1.py draw INPUT.json
        INPUT is {"statement": {...}, "nonce": hex, "beacon": string}; prints
        {"nonce_commitment","result","seed","statement_hash"} as canonical JSON.
    python3 tests/independent/expert_draw_1.py replay EXPORT.jsonl
        replay a log export (JSON Lines, one entry per line) as SPEC 7 asks;
        prints {"abandoned": [...], "draws_replayed": n, "errors": [...],
        "substitutions_checked": m}; exit 0 if no errors, 1 otherwise.

The tests crate runs the first command in `cargo test` (tests/tests/independent_python.rs).
"""

import hashlib
import json
import re
import struct
import sys

SPEC_ID = "expert-draw/1"
MAX_SAFE = 2**53 - 1
U64 = 2**64
MASK32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------
# Strict JSON parsing for the profile
# ---------------------------------------------------------------------------


class ParseError(ValueError):
    """The text is not JSON of the profile at the parsing level (rule 5)."""


class NonInteger:
    """A number written with a fraction or exponent (or NaN/Infinity).

    Kept as its source text so that a statement containing one can still be
    examined for rules 1-4 before rule 5 rejects it.
    """

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "NonInteger(%s)" % self.text


def _pairs_hook(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ParseError("duplicate key %r" % key)
        obj[key] = value
    return obj


def _has_surrogate(s):
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in s)


def _check_strings(v):
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if _has_surrogate(x):
                raise ParseError("lone surrogate in string %r" % x)
        elif isinstance(x, dict):
            for k, item in x.items():
                if _has_surrogate(k):
                    raise ParseError("lone surrogate in key %r" % k)
                stack.append(item)
        elif isinstance(x, list):
            stack.extend(x)


def parse_json(data):
    """Parse JSON text (str, or bytes that must be valid UTF-8).

    Rejects duplicate keys and lone surrogates (ParseError). Numbers with a
    fraction or exponent, NaN and Infinity become NonInteger values; whether
    they are acceptable is for the caller (rule 5, JCS) to decide.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ParseError("not UTF-8: %s" % e) from None
    try:
        value = json.loads(
            data,
            object_pairs_hook=_pairs_hook,
            parse_float=NonInteger,
            parse_constant=NonInteger,
        )
    except ParseError:
        raise
    except (ValueError, RecursionError) as e:
        raise ParseError("not JSON: %s" % e) from None
    _check_strings(value)
    return value


# ---------------------------------------------------------------------------
# RFC 8785 JCS for the profile (integers only)
# ---------------------------------------------------------------------------


class JCSError(ValueError):
    pass


_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def _escape_char(m):
    ch = m.group(0)
    esc = _ESCAPES.get(ch)
    if esc is not None:
        return esc
    return "\\u%04x" % ord(ch)


def _jcs_string(s):
    if _has_surrogate(s):
        raise JCSError("lone surrogate in string")
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, s) + '"'


def _utf16_key(k):
    return k.encode("utf-16-be", "surrogatepass")


def _jcs_into(v, out):
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif type(v) is int:
        if abs(v) > MAX_SAFE:
            raise JCSError("integer %d beyond 2^53-1" % v)
        out.append(str(v))
    elif isinstance(v, str):
        out.append(_jcs_string(v))
    elif isinstance(v, list):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _jcs_into(item, out)
        out.append("]")
    elif isinstance(v, dict):
        out.append("{")
        for i, k in enumerate(sorted(v, key=_utf16_key)):
            if not isinstance(k, str):
                raise JCSError("object key is not a string")
            if i:
                out.append(",")
            out.append(_jcs_string(k))
            out.append(":")
            _jcs_into(v[k], out)
        out.append("}")
    else:
        # NonInteger, float, anything else: outside the integer-only profile.
        raise JCSError("not a value of the integer-only profile: %r" % (v,))


def jcs(v):
    """JCS(v) as UTF-8 bytes."""
    out = []
    _jcs_into(v, out)
    return "".join(out).encode("utf-8")


def H(b):
    return hashlib.sha256(b).digest()


# ---------------------------------------------------------------------------
# Statement validation (SPEC 2, rules 1-5)
# ---------------------------------------------------------------------------


class InvalidStatement(ValueError):
    def __init__(self, rule, message):
        super().__init__("rule %d: %s" % (rule, message))
        self.rule = rule
        self.message = message


def _is_int(x):
    return type(x) is int  # bool is not an integer here


def _nonempty_str(x):
    return isinstance(x, str) and x != ""


def _rule1(st):
    if not isinstance(st, dict):
        return "statement is not an object"
    if st.get("spec") != SPEC_ID:
        return "spec is not %r" % SPEC_ID
    project = st.get("project")
    if not isinstance(project, dict) or not _nonempty_str(project.get("region")):
        return "project.region is not a non-empty string"
    return None


def _rule2(st):
    panel = st.get("panel")
    if not isinstance(panel, list) or not panel:
        return "panel is not a non-empty list"
    for i, g in enumerate(panel):
        if not isinstance(g, dict):
            return "panel[%d] is not an object" % i
        if not _nonempty_str(g.get("specialty")):
            return "panel[%d].specialty is not a non-empty string" % i
        c = g.get("count")
        if not _is_int(c) or c < 1:
            return "panel[%d].count is not an integer >= 1" % i
        r = g.get("reserve")
        if not _is_int(r) or r < 0:
            return "panel[%d].reserve is not an integer >= 0" % i
    return None


def _rule3(st):
    policy = st.get("policy")
    if not isinstance(policy, dict):
        return "policy is not an object"
    rw = policy.get("remote_weight")
    if not _is_int(rw) or not 1 <= rw <= 1000:
        return "policy.remote_weight is not an integer in 1..=1000"
    lm = policy.get("local_max")
    if not _is_int(lm) or lm < 0:
        return "policy.local_max is not an integer >= 0"
    mpe = policy.get("max_per_employer")
    if not _is_int(mpe) or mpe < 1:
        return "policy.max_per_employer is not an integer >= 1"
    return None


def _rule4(st):
    cands = st.get("candidates")
    if not isinstance(cands, list):
        return "candidates is not a list"
    prev = None
    for i, c in enumerate(cands):
        if not isinstance(c, dict):
            return "candidates[%d] is not an object" % i
        cid = c.get("id")
        # Ids are compared as UTF-8 bytes, so a non-string id cannot be
        # placed in the order: it breaks this rule (see the report).
        if not _nonempty_str(cid):
            return "candidates[%d].id is not a non-empty string" % i
        key = cid.encode("utf-8", "surrogatepass")
        if prev is not None and not prev < key:
            return "candidates not strictly ascending by id at [%d] (%r)" % (i, cid)
        prev = key
        sp = c.get("specialties")
        if not isinstance(sp, list) or not sp:
            return "candidates[%d].specialties is not a non-empty list" % i
        rec = c.get("recent")
        if not _is_int(rec) or not 0 <= rec <= 1000000:
            return "candidates[%d].recent is not an integer in 0..=1000000" % i
    return None


def _rule5(st):
    # Plain JSON of the profile, everywhere (extra fields included).
    stack = [(st, "$")]
    while stack:
        x, path = stack.pop()
        if x is None or isinstance(x, bool):
            continue
        if type(x) is int:
            if abs(x) > MAX_SAFE:
                return "%s: integer beyond 2^53-1" % path
        elif isinstance(x, str):
            if _has_surrogate(x):
                return "%s: lone surrogate" % path
        elif isinstance(x, list):
            stack.extend((item, "%s[%d]" % (path, i)) for i, item in enumerate(x))
        elif isinstance(x, dict):
            for k, item in x.items():
                if not isinstance(k, str) or _has_surrogate(k):
                    return "%s: bad key" % path
                stack.append((item, "%s.%s" % (path, k)))
        else:
            return "%s: not an integer (%r)" % (path, x)
    project = st["project"]
    if "id" in project and not isinstance(project["id"], str):
        return "project.id is not a string"
    for i, c in enumerate(st["candidates"]):
        for field in ("id", "region", "employer"):
            if not isinstance(c.get(field), str):
                return "candidates[%d].%s is not a string" % (i, field)
        for j, s in enumerate(c["specialties"]):
            if not isinstance(s, str):
                return "candidates[%d].specialties[%d] is not a string" % (i, j)
    for i, g in enumerate(st["panel"]):
        if g["count"] > 10000:
            return "panel[%d].count > 10000" % i
        if g["reserve"] > 10000:
            return "panel[%d].reserve > 10000" % i
    if st["policy"]["local_max"] > 10000:
        return "policy.local_max > 10000"
    return None


def validate(st):
    """Raise InvalidStatement naming the first rule (1..5) that fails."""
    for rule, check in ((1, _rule1), (2, _rule2), (3, _rule3), (4, _rule4), (5, _rule5)):
        msg = check(st)
        if msg is not None:
            raise InvalidStatement(rule, msg)


def parse_statement_text(text):
    """Parse and validate a statement given as text; parse failures are rule 5."""
    try:
        st = parse_json(text)
    except ParseError as e:
        raise InvalidStatement(5, str(e)) from None
    validate(st)
    return st


# ---------------------------------------------------------------------------
# ChaCha20 stream (RFC 8439 block function) and uniform / pick (SPEC 4)
# ---------------------------------------------------------------------------

_SIGMA = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)


def chacha20_block(key, counter, nonce):
    """RFC 8439 2.3: 64 bytes for a 32-byte key, 32-bit counter, 12-byte nonce."""
    words = list(_SIGMA) + list(struct.unpack("<8I", key)) + [counter & MASK32]
    words += list(struct.unpack("<3I", nonce))
    return _block_words(words)


def _block_words(s):
    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 = s
    M = MASK32
    for _ in range(10):
        # column rounds
        x0 = (x0 + x4) & M; x12 ^= x0; x12 = ((x12 << 16) | (x12 >> 16)) & M
        x8 = (x8 + x12) & M; x4 ^= x8; x4 = ((x4 << 12) | (x4 >> 20)) & M
        x0 = (x0 + x4) & M; x12 ^= x0; x12 = ((x12 << 8) | (x12 >> 24)) & M
        x8 = (x8 + x12) & M; x4 ^= x8; x4 = ((x4 << 7) | (x4 >> 25)) & M
        x1 = (x1 + x5) & M; x13 ^= x1; x13 = ((x13 << 16) | (x13 >> 16)) & M
        x9 = (x9 + x13) & M; x5 ^= x9; x5 = ((x5 << 12) | (x5 >> 20)) & M
        x1 = (x1 + x5) & M; x13 ^= x1; x13 = ((x13 << 8) | (x13 >> 24)) & M
        x9 = (x9 + x13) & M; x5 ^= x9; x5 = ((x5 << 7) | (x5 >> 25)) & M
        x2 = (x2 + x6) & M; x14 ^= x2; x14 = ((x14 << 16) | (x14 >> 16)) & M
        x10 = (x10 + x14) & M; x6 ^= x10; x6 = ((x6 << 12) | (x6 >> 20)) & M
        x2 = (x2 + x6) & M; x14 ^= x2; x14 = ((x14 << 8) | (x14 >> 24)) & M
        x10 = (x10 + x14) & M; x6 ^= x10; x6 = ((x6 << 7) | (x6 >> 25)) & M
        x3 = (x3 + x7) & M; x15 ^= x3; x15 = ((x15 << 16) | (x15 >> 16)) & M
        x11 = (x11 + x15) & M; x7 ^= x11; x7 = ((x7 << 12) | (x7 >> 20)) & M
        x3 = (x3 + x7) & M; x15 ^= x3; x15 = ((x15 << 8) | (x15 >> 24)) & M
        x11 = (x11 + x15) & M; x7 ^= x11; x7 = ((x7 << 7) | (x7 >> 25)) & M
        # diagonal rounds
        x0 = (x0 + x5) & M; x15 ^= x0; x15 = ((x15 << 16) | (x15 >> 16)) & M
        x10 = (x10 + x15) & M; x5 ^= x10; x5 = ((x5 << 12) | (x5 >> 20)) & M
        x0 = (x0 + x5) & M; x15 ^= x0; x15 = ((x15 << 8) | (x15 >> 24)) & M
        x10 = (x10 + x15) & M; x5 ^= x10; x5 = ((x5 << 7) | (x5 >> 25)) & M
        x1 = (x1 + x6) & M; x12 ^= x1; x12 = ((x12 << 16) | (x12 >> 16)) & M
        x11 = (x11 + x12) & M; x6 ^= x11; x6 = ((x6 << 12) | (x6 >> 20)) & M
        x1 = (x1 + x6) & M; x12 ^= x1; x12 = ((x12 << 8) | (x12 >> 24)) & M
        x11 = (x11 + x12) & M; x6 ^= x11; x6 = ((x6 << 7) | (x6 >> 25)) & M
        x2 = (x2 + x7) & M; x13 ^= x2; x13 = ((x13 << 16) | (x13 >> 16)) & M
        x8 = (x8 + x13) & M; x7 ^= x8; x7 = ((x7 << 12) | (x7 >> 20)) & M
        x2 = (x2 + x7) & M; x13 ^= x2; x13 = ((x13 << 8) | (x13 >> 24)) & M
        x8 = (x8 + x13) & M; x7 ^= x8; x7 = ((x7 << 7) | (x7 >> 25)) & M
        x3 = (x3 + x4) & M; x14 ^= x3; x14 = ((x14 << 16) | (x14 >> 16)) & M
        x9 = (x9 + x14) & M; x4 ^= x9; x4 = ((x4 << 12) | (x4 >> 20)) & M
        x3 = (x3 + x4) & M; x14 ^= x3; x14 = ((x14 << 8) | (x14 >> 24)) & M
        x9 = (x9 + x14) & M; x4 ^= x9; x4 = ((x4 << 7) | (x4 >> 25)) & M
    x = (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15)
    return struct.pack("<16I", *[(a + b) & M for a, b in zip(x, s)])


class Stream:
    """ChaCha20 keystream, key = seed, 12-byte zero nonce, block counter from 0,
    read as consecutive little-endian u64 words.

    The counter occupies state words 12 and 13 (64 bits, low word first); with
    the all-zero nonce this is the RFC 8439 layout for the first 2^32 blocks.
    """

    def __init__(self, seed):
        if len(seed) != 32:
            raise ValueError("seed must be 32 bytes")
        self._key = list(struct.unpack("<8I", seed))
        self._counter = 0
        self._words = []
        self._pos = 0
        self.words_taken = 0

    def next_u64(self):
        if self._pos == len(self._words):
            c = self._counter
            state = list(_SIGMA) + self._key + [c & MASK32, (c >> 32) & MASK32, 0, 0]
            self._words = struct.unpack("<8Q", _block_words(state))
            self._pos = 0
            self._counter += 1
        w = self._words[self._pos]
        self._pos += 1
        self.words_taken += 1
        return w


def uniform(stream, n):
    if not 1 <= n < U64:
        raise ValueError("uniform(n) needs 1 <= n < 2^64, got %d" % n)
    rem = ((U64 - n) % U64) % n  # (0 - n) mod n in wrapping 64-bit arithmetic
    limit = U64 - 1 - rem
    while True:
        x = stream.next_u64()
        if x <= limit:
            return x % n


def pick(stream, items, weight):
    """SPEC 4 pick: items in statement order, weight(item) -> int. None if nothing."""
    total = 0
    for it in items:
        total += weight(it)
    if not items or total == 0:
        return None
    r = uniform(stream, total)
    running = 0
    for it in items:
        running += weight(it)
        if running > r:
            return it
    raise AssertionError("unreachable: running sum never exceeded r")


# ---------------------------------------------------------------------------
# Weights, matching and selection (SPEC 3 and 5)
# ---------------------------------------------------------------------------


def matches(candidate, specialty):
    return any(s.startswith(specialty) for s in candidate["specialties"])


def is_local(candidate, project_region):
    return candidate["region"] == project_region


def weight_of(candidate, statement):
    local = is_local(candidate, statement["project"]["region"])
    m = 1 if local else statement["policy"]["remote_weight"]
    return (1000000 * m) // (1 + candidate["recent"])


def derive_seed(statement_hash, nonce, beacon):
    return H(b"expert-draw/1 seed" + b"\x00" + statement_hash + nonce + H(beacon.encode("utf-8")))


def select(statement, seed):
    """SPEC 5. Returns {"primaries": [[id...]...], "reserves": [[id...]...]}."""
    stream = Stream(seed)
    cands = statement["candidates"]
    region = statement["project"]["region"]
    policy = statement["policy"]
    local_max = policy["local_max"]
    max_per_employer = policy["max_per_employer"]
    weights = [weight_of(c, statement) for c in cands]
    local = [is_local(c, region) for c in cands]
    w = weights.__getitem__

    used = set()  # candidate indices
    local_count = 0
    per_employer = {}
    primaries = []
    for g in statement["panel"]:
        matching = [i for i, c in enumerate(cands) if matches(c, g["specialty"])]
        got = []
        for _ in range(g["count"]):
            eligible = [
                i
                for i in matching
                if i not in used
                and not (local[i] and local_count >= local_max)
                and per_employer.get(cands[i]["employer"], 0) < max_per_employer
            ]
            p = pick(stream, eligible, w)
            if p is None:
                break  # the group stops short
            got.append(cands[p]["id"])
            used.add(p)
            if local[p]:
                local_count += 1
            emp = cands[p]["employer"]
            per_employer[emp] = per_employer.get(emp, 0) + 1
        primaries.append(got)
    reserves = []
    for g in statement["panel"]:
        matching = [i for i, c in enumerate(cands) if matches(c, g["specialty"])]
        got = []
        for _ in range(g["reserve"]):
            eligible = [i for i in matching if i not in used]
            p = pick(stream, eligible, w)
            if p is None:
                break
            got.append(cands[p]["id"])
            used.add(p)
        reserves.append(got)
    return {"primaries": primaries, "reserves": reserves}


def draw(statement, nonce, beacon):
    """The whole draw: validate, then hashes, seed and result (hex strings)."""
    validate(statement)
    if len(nonce) != 32:
        raise ValueError("nonce must be 32 bytes, got %d" % len(nonce))
    statement_hash = H(jcs(statement))
    seed = derive_seed(statement_hash, nonce, beacon)
    return {
        "statement_hash": statement_hash.hex(),
        "nonce_commitment": H(nonce).hex(),
        "seed": seed.hex(),
        "result": select(statement, seed),
    }


# ---------------------------------------------------------------------------
# Substitution (SPEC 6)
# ---------------------------------------------------------------------------


class DrawPanel:
    """The panel state of one revealed draw, across substitutions."""

    def __init__(self, statement, result):
        self.statement = statement
        self.draw_id = statement.get("draw_id")
        self.groups = [list(g) for g in result["primaries"]]
        self.reserves = [list(r) for r in result["reserves"]]
        # (a): every id that has ever been a primary of this draw.
        self.ever_primary = {i for g in self.groups for i in g}
        self.initial = result  # the draw's result as revealed
        self.by_id = {c["id"]: c for c in statement["candidates"]}
        self.family = None  # set by Family

    def members(self):
        return [i for g in self.groups for i in g]


class Family:
    """A first draw and its supplementary draws: one panel (all groups)."""

    def __init__(self, root):
        self.root = root
        self.draws = [root]
        self.open_gaps = []  # specialties left empty by a substitution with no replacement
        root.family = self
        policy = root.statement["policy"]
        self.local_max = policy["local_max"]
        self.max_per_employer = policy["max_per_employer"]
        self.region = root.statement["project"]["region"]

    def add(self, draw_panel):
        self.draws.append(draw_panel)
        draw_panel.family = self

    def member_info(self):
        """[(id, is_local, employer)] for everyone on the panel, all draws."""
        out = []
        for d in self.draws:
            for i in d.members():
                c = d.by_id[i]
                out.append((i, c["region"] == self.region, c["employer"]))
        return out


def expected_replacement(dp, group, out):
    """The id SPEC 6 puts in place of `out` in `group` of draw `dp`, or None."""
    fam = dp.family
    members = fam.member_info()
    for k, m in enumerate(members):
        if m[0] == out:
            del members[k]  # the panel without the outgoing expert
            break
    local_count = sum(1 for _, loc, _ in members if loc)
    per_employer = {}
    for _, _, emp in members:
        per_employer[emp] = per_employer.get(emp, 0) + 1
    for rid in dp.reserves[group]:
        if rid in dp.ever_primary:  # (a)
            continue
        c = dp.by_id[rid]
        if c["region"] == fam.region and local_count >= fam.local_max:  # (b)
            continue
        if per_employer.get(c["employer"], 0) >= fam.max_per_employer:  # (c)
            continue
        return rid
    return None


def apply_substitution(dp, group, out, new):
    """Replace `out` by `new` in its place, or remove it when `new` is None."""
    lst = dp.groups[group]
    k = lst.index(out)
    if new is None:
        del lst[k]
        dp.family.open_gaps.append(dp.statement["panel"][group]["specialty"])
    else:
        lst[k] = new
        dp.ever_primary.add(new)


def standalone(statement, result):
    dp = DrawPanel(statement, result)
    Family(dp)
    return dp


# ---------------------------------------------------------------------------
# Conformance vectors
# ---------------------------------------------------------------------------


def _selftest():
    """RFC 8439 2.3.2 block test vector and the JCS key order; raises on failure."""
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a00000000")
    block = chacha20_block(key, 1, nonce)
    want = (
        "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e"
    )
    if block.hex() != want:
        raise AssertionError("ChaCha20 block function fails RFC 8439 2.3.2")
    sample = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    if jcs(sample).decode("utf-8") != '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\U0001f600":5,"\ufb33":3}':
        raise AssertionError("JCS key order (RFC 8785 3.2.3 example) wrong")
    if jcs(["\x00\x1f\x7f\b/\u2028"]) != b'["\\u0000\\u001f\x7f\\b/\xe2\x80\xa8"]':
        raise AssertionError("JCS string escaping wrong")


def check_vectors(path):
    with open(path, "rb") as f:
        doc = parse_json(f.read())
    failures = []
    passed = {"valid": 0, "invalid": 0, "uniform": 0}

    def fail(kind, name, msg):
        failures.append("%s %s: %s" % (kind, name, msg))

    try:
        _selftest()
    except AssertionError as e:
        failures.append("selftest: %s" % e)

    if doc.get("spec") != SPEC_ID:
        failures.append("vectors: spec is %r" % doc.get("spec"))

    for case in doc.get("valid", []):
        name = case.get("name")
        try:
            st = case["statement"]
            got = draw(st, bytes.fromhex(case["nonce"]), case["beacon"])
            exp = case["expect"]
            bad = [k for k in ("statement_hash", "nonce_commitment", "seed", "result") if got[k] != exp[k]]
            if bad:
                for k in bad:
                    fail("valid", name, "%s: got %s, expected %s" % (k, jcs(got[k]).decode(), jcs(exp[k]).decode()))
                continue
            dp = standalone(st, got["result"])
            ok = True
            for step, sub in enumerate(case.get("substitutions", [])):
                g, out, new = sub["group"], sub["out"], sub["in"]
                if out not in dp.groups[g]:
                    fail("valid", name, "substitution %d: %s not in group %d" % (step, out, g))
                    ok = False
                    break
                want = expected_replacement(dp, g, out)
                if want != new:
                    fail("valid", name, "substitution %d: out %s: got in=%s, expected in=%s" % (step, out, want, new))
                    ok = False
                    break
                apply_substitution(dp, g, out, new)
            if ok:
                passed["valid"] += 1
        except InvalidStatement as e:
            fail("valid", name, "statement rejected: %s" % e)
        except Exception as e:  # noqa: BLE001 -- report and keep going
            fail("valid", name, "%s: %s" % (type(e).__name__, e))

    for case in doc.get("invalid", []):
        name = case.get("name")
        want = case.get("rule")
        try:
            if "statement_text" in case:
                parse_statement_text(case["statement_text"])
            else:
                validate(case["statement"])
            fail("invalid", name, "accepted, expected rule %s" % want)
        except InvalidStatement as e:
            if e.rule == want:
                passed["invalid"] += 1
            else:
                fail("invalid", name, "rule %d (%s), expected rule %s" % (e.rule, e.message, want))

    uni = doc.get("uniform", {})
    seed = bytes.fromhex(uni.get("seed", ""))
    for case in uni.get("cases", []):
        n = int(case["n"])
        stream = Stream(seed)  # a fresh stream per n
        got = [str(uniform(stream, n)) for _ in case["outputs"]]
        if got == case["outputs"]:
            passed["uniform"] += 1
        else:
            fail("uniform", "n=%d" % n, "got %s, expected %s" % (got, case["outputs"]))

    return passed, failures


# ---------------------------------------------------------------------------
# Audit-log replay (SPEC 7)
# ---------------------------------------------------------------------------

_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")
_TIME = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
_ENTRY_KEYS = {"seq", "time", "kind", "actor", "data"}


def replay(lines):
    """Replay an export given as a list of byte strings (one leaf per line)."""
    errors = []
    commits = {}  # draw_id -> [seq of each commit]
    commit_data = {}  # draw_id -> data of its first commit
    revealed = {}  # draw_id -> seq of its reveal
    panels = {}  # draw_id -> DrawPanel
    draws_replayed = 0
    substitutions_checked = 0

    for index, raw in enumerate(lines):
        where = "line %d" % (index + 1)

        def err(msg):
            errors.append("%s: %s" % (where, msg))

        try:
            entry = parse_json(raw)
        except ParseError as e:
            err("not an entry: %s" % e)
            continue
        if not isinstance(entry, dict) or set(entry) != _ENTRY_KEYS:
            err("an entry has exactly the keys seq, time, kind, actor, data")
            continue
        where = "seq %s" % entry.get("seq")
        if entry["seq"] != index or not _is_int(entry["seq"]):
            err("seq out of order (line %d must hold seq %d)" % (index + 1, index))
        try:
            if jcs(entry) != raw:
                err("line is not JCS(entry)")
        except JCSError as e:
            err("entry is outside the profile: %s" % e)
        if not isinstance(entry["time"], str) or not _TIME.match(entry["time"]):
            err("time is not RFC 3339 UTC to the second")
        kind = entry["kind"]
        data = entry["data"]
        if kind not in ("draw.commit", "draw.reveal", "draw.substitute"):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("draw_id"), str):
            err("%s without a string draw_id" % kind)
            continue
        draw_id = data["draw_id"]
        where = "seq %s (%s %s)" % (entry["seq"], kind, draw_id)

        if kind == "draw.commit":
            if draw_id in revealed:
                err("draw_id already revealed at seq %s" % revealed[draw_id][1])
            for k in ("statement_hash", "nonce_commitment"):
                if not isinstance(data.get(k), str) or not _HEX64.match(data[k]):
                    err("%s is not 64 lowercase hex digits" % k)
            commits.setdefault(draw_id, []).append((index, entry["seq"]))
            commit_data.setdefault(draw_id, data)
            continue

        if kind == "draw.reveal":
            earlier = commits.get(draw_id, [])
            if draw_id in revealed:
                err("draw already revealed at seq %s" % revealed[draw_id][1])
                continue
            revealed[draw_id] = (index, entry["seq"])
            if len(earlier) != 1:
                err("follows %d earlier draw.commit of this draw_id, not exactly one" % len(earlier))
            cd = commit_data.get(draw_id)  # None: nothing to compare the hashes with
            st = data.get("statement")
            try:
                validate(st)
            except InvalidStatement as e:
                err("invalid statement: %s" % e)
                continue
            if st.get("draw_id") != draw_id:
                err("statement.draw_id %r differs from the entry's draw_id" % (st.get("draw_id"),))
            nonce_hex = data.get("nonce")
            if not isinstance(nonce_hex, str) or not _HEX64.match(nonce_hex):
                err("nonce is not 32 bytes of lowercase hex")
                continue
            beacon = data.get("beacon")
            if not isinstance(beacon, str):
                err("beacon is not a string")
                continue
            got = draw(st, bytes.fromhex(nonce_hex), beacon)
            draws_replayed += 1
            if cd is not None and got["statement_hash"] != cd.get("statement_hash"):
                err("H(JCS(statement)) %s does not match the commitment %s" % (got["statement_hash"], cd.get("statement_hash")))
            if cd is not None and got["nonce_commitment"] != cd.get("nonce_commitment"):
                err("H(nonce) %s does not match the commitment %s" % (got["nonce_commitment"], cd.get("nonce_commitment")))
            if data.get("seed") != got["seed"]:
                err("seed %s, expected %s" % (data.get("seed"), got["seed"]))
            if data.get("result") != got["result"]:
                err("result %s, expected %s" % (_show(data.get("result")), _show(got["result"])))
            # Follow the logged result when it is well formed (later entries
            # refer to it; a wrong result is reported above), else the right one.
            logged = data.get("result")
            dp = DrawPanel(st, logged if _well_formed_result(logged, st) else got["result"])
            parent = st.get("parent")
            if parent is None:
                Family(dp)
            else:
                for msg in _check_supplementary(st, parent, panels):
                    err(msg)
                fam = panels[parent].family if parent in panels else None
                if fam is None:
                    Family(dp)
                else:
                    spec = st["panel"][0]["specialty"] if st["panel"] else None
                    if spec in fam.open_gaps:
                        fam.open_gaps.remove(spec)
                    fam.add(dp)
            panels[draw_id] = dp
            continue

        # draw.substitute
        substitutions_checked += 1
        dp = panels.get(draw_id)
        if dp is None:
            err("no valid draw.reveal of this draw_id before")
            continue
        g, out, new = data.get("group"), data.get("out"), data.get("in")
        if not _is_int(g) or not 0 <= g < len(dp.groups):
            err("group %r does not exist" % (g,))
            continue
        if not isinstance(data.get("reason"), str):
            err("reason is not a string")
        if isinstance(out, str) and out not in dp.groups[g]:
            # SPEC 6: a supplementary pick "joins the panel", so its later
            # departure may be logged under the panel's draw_id and the
            # group it sits in. It is still replaced from the supplementary
            # draw's own reserves: resolve to that draw and its one group.
            fam = getattr(dp, "family", None)
            for d in (fam.draws if fam is not None else []):
                if d is not dp and d.groups and out in d.groups[0]:
                    dp, g = d, 0
                    break
        if not isinstance(out, str) or out not in dp.groups[g]:
            err("out %r is not on group %d" % (out, g))
            continue
        want = expected_replacement(dp, g, out)
        if new != want:
            err("in=%s, but section 6 gives %s" % (_show(new), _show(want)))
            if new is not None and new not in dp.by_id:
                continue  # cannot follow an unknown expert; keep the state as it was
        apply_substitution(dp, g, out, new)

    # A commit that no reveal answers. When several commits precede one
    # reveal (an error above), the first is taken as the revealed one.
    abandoned = []
    for draw_id, cs in commits.items():
        at = revealed.get(draw_id, (len(lines), None))[0]
        before = [c for c in cs if c[0] < at]
        answered = before[:1] if draw_id in revealed else []
        abandoned.extend((pos, {"draw_id": draw_id, "seq": seq}) for pos, seq in cs if (pos, seq) not in answered)
    abandoned = [a for _, a in sorted(abandoned, key=lambda t: t[0])]
    return {
        "draws_replayed": draws_replayed,
        "substitutions_checked": substitutions_checked,
        "abandoned": abandoned,
        "errors": errors,
    }


def _well_formed_result(result, st):
    if not isinstance(result, dict) or set(result) != {"primaries", "reserves"}:
        return False
    ids = {c["id"] for c in st["candidates"]}
    for part in ("primaries", "reserves"):
        groups = result[part]
        if not isinstance(groups, list) or len(groups) != len(st["panel"]):
            return False
        for g in groups:
            if not isinstance(g, list) or not all(isinstance(i, str) and i in ids for i in g):
                return False
    return True


def _check_supplementary(st, parent, panels):
    """SPEC 6 supplementary draw: what its statement must say, given the panel."""
    msgs = []
    root = panels.get(parent)
    if root is None:
        return ["parent %r is not a draw revealed before" % (parent,)]
    fam = root.family
    if fam.root is not root:
        msgs.append("parent %r is itself a supplementary draw, not the first draw" % parent)
    if len(st["panel"]) != 1 or st["panel"][0]["count"] != 1:
        msgs.append("a supplementary draw has one group with count 1")
    spec = st["panel"][0]["specialty"]
    if spec not in fam.open_gaps:
        msgs.append("no open gap of specialty %r on the panel of %r" % (spec, parent))
    members = fam.member_info()
    locals_ = sum(1 for _, loc, _ in members if loc)
    want_local_max = max(0, fam.local_max - locals_)
    if st["policy"]["local_max"] != want_local_max:
        msgs.append("policy.local_max %d, expected %d" % (st["policy"]["local_max"], want_local_max))
    first = fam.root.initial
    named = {i for part in ("primaries", "reserves") for g in first[part] for i in g}
    per_employer = {}
    for _, _, emp in members:
        per_employer[emp] = per_employer.get(emp, 0) + 1
    full = {e for e, n in per_employer.items() if n >= fam.max_per_employer}
    for c in st["candidates"]:
        if c["id"] in named:
            msgs.append("candidate %s is named in the first draw's result" % c["id"])
        if c["employer"] in full:
            msgs.append("candidate %s: employer %s already has max_per_employer members" % (c["id"], c["employer"]))
    return msgs


def _show(v):
    try:
        return jcs(v).decode("utf-8")
    except JCSError:
        return repr(v)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _dump(v):
    sys.stdout.buffer.write(jcs(v) + b"\n")
    sys.stdout.flush()


def main(argv):
    usage = "usage: expert_draw_1.py vectors FILE | draw INPUT.json | replay EXPORT.jsonl"
    if len(argv) != 3:
        print(usage, file=sys.stderr)
        return 2
    cmd, path = argv[1], argv[2]
    if cmd == "vectors":
        passed, failures = check_vectors(path)
        for f in failures:
            print("FAIL " + f)
        summary = dict(passed)
        summary["failed"] = len(failures)
        print(json.dumps(summary, sort_keys=True))
        return 0 if not failures else 1
    if cmd == "draw":
        with open(path, "rb") as f:
            try:
                inp = parse_json(f.read())
            except ParseError as e:
                print("input: %s (rule 5 if this is the statement)" % e, file=sys.stderr)
                return 1
        try:
            nonce = bytes.fromhex(inp["nonce"])
            out = draw(inp["statement"], nonce, inp["beacon"])
        except InvalidStatement as e:
            print("invalid statement: %s" % e, file=sys.stderr)
            return 1
        except (KeyError, TypeError, ValueError) as e:
            print("bad input: %s" % e, file=sys.stderr)
            return 1
        _dump(out)
        return 0
    if cmd == "replay":
        with open(path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # the newline that ends the last line
        summary = replay(lines)
        print(json.dumps(summary, ensure_ascii=False, sort_keys=True))
        return 0 if not summary["errors"] else 1
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
