//! Validity rules 1–5 of SPEC §2, checked in order on a parsed JSON value;
//! the first rule that fails is the one reported.
//!
//! Duplicate keys and lone surrogates (part of rule 5) cannot survive into a
//! `serde_json::Value`: the strict parser in `draw-audit` rejects them first.

use serde_json::{Map, Number, Value};

use super::candidates::CandidatesBuilder;
use super::{DrawStatement, PanelGroup, Policy, SPEC_NAME};

/// The largest integer magnitude of the rule 5 profile, 2^53 − 1.
pub const MAX_SAFE_INTEGER: i128 = (1 << 53) - 1;
/// Rule 5's cap on `count`, `reserve` and `local_max`.
pub const MAX_GROUP_SIZE: i128 = 10_000;
/// Rule 4's cap on `recent`.
pub const MAX_RECENT: i128 = 1_000_000;
/// Rule 3's range of `remote_weight`.
const REMOTE_WEIGHT: std::ops::RangeInclusive<i128> = 1..=1000;

/// Why a statement is not valid: the first rule (1..=5) it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("statement breaks rule {rule}: {message}")]
pub struct InvalidStatement {
    pub rule: u8,
    pub message: String,
}

fn fail(rule: u8, message: impl Into<String>) -> InvalidStatement {
    InvalidStatement {
        rule,
        message: message.into(),
    }
}

/// The value of a JSON integer. serde_json keeps numbers written without
/// fraction or exponent as i64/u64 and everything else as f64, so "is an
/// integer" is "is not f64"; a bool is not a number at all.
fn integer(v: &Value) -> Option<i128> {
    let n = v.as_number()?;
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

fn in_profile(n: &Number) -> bool {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
        .is_some_and(|i| i.abs() <= MAX_SAFE_INTEGER)
}

/// The first number under `v` outside the rule 5 profile. Iterative, with a
/// caller-owned stack, so depth cannot overflow the call stack and a million
/// candidates do not cost a million allocations.
fn first_bad_number<'a>(v: &'a Value, stack: &mut Vec<&'a Value>) -> Option<&'a Number> {
    stack.clear();
    stack.push(v);
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) if !in_profile(n) => return Some(n),
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    None
}

fn object(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_object)
}

fn non_empty_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Checks rules 1–5 in order and returns the typed statement.
///
/// Extra fields anywhere are allowed and ignored, but their numbers must
/// still fit the integer profile of rule 5.
pub fn validate(v: &Value) -> Result<DrawStatement, InvalidStatement> {
    // Rule 1. A non-object has no `spec`, so it fails here.
    let Some(root) = v.as_object() else {
        return Err(fail(1, "the statement must be a JSON object"));
    };
    if root.get("spec").and_then(Value::as_str) != Some(SPEC_NAME) {
        return Err(fail(1, format!("`spec` must be \"{SPEC_NAME}\"")));
    }
    let Some(project_region) =
        non_empty_str(object(root.get("project")).and_then(|p| p.get("region")))
    else {
        return Err(fail(1, "`project.region` must be a non-empty string"));
    };

    // Rule 2.
    let Some(panel) = root
        .get("panel")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
    else {
        return Err(fail(2, "`panel` must be a non-empty array"));
    };
    let mut groups = Vec::with_capacity(panel.len());
    for (i, g) in panel.iter().enumerate() {
        let Some(g) = g.as_object() else {
            return Err(fail(2, format!("`panel[{i}]` must be an object")));
        };
        let Some(specialty) = non_empty_str(g.get("specialty")) else {
            return Err(fail(
                2,
                format!("`panel[{i}].specialty` must be a non-empty string"),
            ));
        };
        let Some(count) = g.get("count").and_then(integer).filter(|&c| c >= 1) else {
            return Err(fail(
                2,
                format!("`panel[{i}].count` must be an integer >= 1"),
            ));
        };
        let Some(reserve) = g.get("reserve").and_then(integer).filter(|&r| r >= 0) else {
            return Err(fail(
                2,
                format!("`panel[{i}].reserve` must be an integer >= 0"),
            ));
        };
        groups.push((specialty, count, reserve));
    }

    // Rule 3.
    let policy = object(root.get("policy"));
    let field = |name: &str| policy.and_then(|p| p.get(name)).and_then(integer);
    let Some(remote_weight) = field("remote_weight").filter(|w| REMOTE_WEIGHT.contains(w)) else {
        return Err(fail(
            3,
            "`policy.remote_weight` must be an integer in 1..=1000",
        ));
    };
    let Some(local_max) = field("local_max").filter(|&m| m >= 0) else {
        return Err(fail(3, "`policy.local_max` must be an integer >= 0"));
    };
    let Some(max_per_employer) = field("max_per_employer").filter(|&m| m >= 1) else {
        return Err(fail(3, "`policy.max_per_employer` must be an integer >= 1"));
    };

    // Rule 4, with the candidate part of rule 5 noted on the same pass: a
    // rule 4 failure further down the list still wins over it.
    let Some(raw) = root.get("candidates").and_then(Value::as_array) else {
        return Err(fail(4, "`candidates` must be an array"));
    };
    let mut candidates = CandidatesBuilder::with_capacity(raw.len());
    let mut rule5: Option<String> = None;
    let mut previous: Option<&str> = None;
    let mut stack = Vec::new();
    for (i, c) in raw.iter().enumerate() {
        let Some(c) = c.as_object() else {
            return Err(fail(4, format!("`candidates[{i}]` must be an object")));
        };
        let f = CandidateFields::read(c, rule5.is_none(), &mut stack);
        // A missing or non-string id is a type error (rule 5); string ids
        // must be non-empty and ascend strictly among themselves.
        let id = f.id.and_then(Value::as_str);
        if let Some(id) = id {
            if id.is_empty() {
                return Err(fail(4, format!("`candidates[{i}].id` is empty")));
            }
            if previous.is_some_and(|p| p >= id) {
                return Err(fail(
                    4,
                    format!("`candidates` not sorted strictly ascending by id at index {i}"),
                ));
            }
            previous = Some(id);
        }
        let Some(specialties) = f
            .specialties
            .and_then(Value::as_array)
            .filter(|s| !s.is_empty())
        else {
            return Err(fail(
                4,
                format!("`candidates[{i}].specialties` must be a non-empty array"),
            ));
        };
        let Some(recent) = f
            .recent
            .and_then(integer)
            .filter(|r| (0..=MAX_RECENT).contains(r))
        else {
            return Err(fail(
                4,
                format!("`candidates[{i}].recent` must be an integer in 0..=1000000"),
            ));
        };
        if rule5.is_some() {
            continue;
        }
        if let Err(message) = push_candidate(&mut candidates, i, id, &f, specialties, recent) {
            rule5 = Some(message);
        }
    }

    // Rule 5 for the rest of the statement.
    if let Some(message) = rule5 {
        return Err(fail(5, message));
    }
    for (key, value) in root {
        if key == "candidates" {
            continue;
        }
        if let Some(n) = first_bad_number(value, &mut stack) {
            return Err(fail(
                5,
                format!("number {n} under `{key}` is not an integer within ±(2^53 − 1)"),
            ));
        }
    }
    let size = |v: i128, what: &str| {
        if v <= MAX_GROUP_SIZE {
            u32::try_from(v).map_err(|_| fail(5, format!("{what} must be at most 10000")))
        } else {
            Err(fail(5, format!("{what} must be at most 10000")))
        }
    };
    let mut panel = Vec::with_capacity(groups.len());
    for (i, (specialty, count, reserve)) in groups.into_iter().enumerate() {
        panel.push(PanelGroup {
            specialty: specialty.into(),
            count: size(count, &format!("`panel[{i}].count`"))?,
            reserve: size(reserve, &format!("`panel[{i}].reserve`"))?,
        });
    }
    let policy = Policy {
        remote_weight: u32::try_from(remote_weight)
            .map_err(|_| fail(3, "`policy.remote_weight` must be an integer in 1..=1000"))?,
        local_max: size(local_max, "`policy.local_max`")?,
        max_per_employer: u64::try_from(max_per_employer)
            .map_err(|_| fail(3, "`policy.max_per_employer` must be an integer >= 1"))?,
    };

    let candidates = candidates.finish();
    Ok(DrawStatement {
        draw_id: root.get("draw_id").and_then(Value::as_str).map(Box::from),
        project_region: project_region.into(),
        panel,
        policy,
        local_region: candidates.region_code(project_region),
        candidates,
    })
}

/// The fields of one candidate object, found in a single pass over its
/// entries: each key is read once, which matters when a million candidate
/// maps lie scattered over the heap.
#[derive(Debug, Default)]
struct CandidateFields<'a> {
    id: Option<&'a Value>,
    region: Option<&'a Value>,
    employer: Option<&'a Value>,
    specialties: Option<&'a Value>,
    recent: Option<&'a Value>,
    /// Some number in the object is outside the rule 5 profile.
    bad_number: Option<&'a Number>,
}

impl<'a> CandidateFields<'a> {
    fn read(c: &'a Map<String, Value>, check_numbers: bool, stack: &mut Vec<&'a Value>) -> Self {
        let mut f = Self::default();
        for (key, value) in c {
            match key.as_str() {
                "id" => f.id = Some(value),
                "region" => f.region = Some(value),
                "employer" => f.employer = Some(value),
                "specialties" => f.specialties = Some(value),
                "recent" => f.recent = Some(value),
                _ => {}
            }
            if check_numbers && f.bad_number.is_none() {
                f.bad_number = match value {
                    Value::Null | Value::Bool(_) | Value::String(_) => None,
                    Value::Number(n) => (!in_profile(n)).then_some(n),
                    nested => first_bad_number(nested, stack),
                };
            }
        }
        f
    }
}

/// Adds the typed candidate, or returns the rule 5 message for its first
/// type or number problem. Rule 4 has already passed for this candidate.
fn push_candidate<'a>(
    out: &mut CandidatesBuilder,
    i: usize,
    id: Option<&str>,
    f: &CandidateFields<'a>,
    specialties: &'a [Value],
    recent: i128,
) -> Result<(), String> {
    let string = |v: Option<&'a Value>, name: &str| {
        v.and_then(Value::as_str)
            .ok_or_else(|| format!("`candidates[{i}].{name}` must be a string"))
    };
    let id = id.ok_or_else(|| format!("`candidates[{i}].id` must be a string"))?;
    let region = string(f.region, "region")?;
    let employer = string(f.employer, "employer")?;
    if let Some(j) = specialties.iter().position(|s| !s.is_string()) {
        return Err(format!(
            "`candidates[{i}].specialties[{j}]` must be a string"
        ));
    }
    if let Some(n) = f.bad_number {
        return Err(format!(
            "number {n} in `candidates[{i}]` is not an integer within ±(2^53 − 1)"
        ));
    }
    // Rule 4 bounded it to 0..=1000000.
    let recent =
        u32::try_from(recent).map_err(|_| format!("`candidates[{i}].recent` out of range"))?;
    out.push(
        id,
        region,
        employer,
        specialties.iter().filter_map(Value::as_str),
        recent,
    )
    .map_err(|_| {
        format!("this implementation takes at most 2^32 − 1 candidates (`candidates[{i}]`)")
    })
}
