//! `draw-audit draw`: recompute statement hash, nonce commitment, seed and
//! result of a draw from `{"statement", "nonce", "beacon"}` (SPEC §2–5).

use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use clap::Args;
use draw_audit::jcs::{self, JsonProfileError, ProfileViolation};
use draw_audit::sha256;
use expert_core::draw::{DrawResult, InvalidStatement, nonce_commitment, seed, select, validate};
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, emit, input, rejected};

pub(super) const LONG_ABOUT: &str = "Recompute a draw from its statement, nonce and beacon (SPEC §2–5).\n\n\
    The input is one JSON object {\"statement\": {...}, \"nonce\": \"64 hex \
    digits\", \"beacon\": \"...\"}, parsed strictly (duplicate keys, lone \
    surrogates and non-integers in the statement break rule 5). The output is \
    canonical JSON (RFC 8785) {\"nonce_commitment\", \"result\", \"seed\", \
    \"statement_hash\"}, hex lowercase, ready to diff against a draw.reveal \
    entry or a vector's \"expect\".\n\n\
    Exit status: 0 computed, 1 the statement breaks a rule (the message names \
    it), 2 the input could not be read or is malformed.";

#[derive(Debug, Args)]
pub(super) struct DrawArgs {
    /// JSON file with "statement", "nonce" and "beacon"; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
}

/// The three inputs of a draw.
#[derive(Debug)]
struct DrawInput {
    statement: Value,
    nonce: [u8; 32],
    beacon: String,
}

pub(super) fn run(args: &DrawArgs) -> Outcome {
    let text = input::read_text(&args.input)?;
    let draw = parse_input(&text).map_err(|f| in_file(f, &input::describe(&args.input)))?;
    let computed = replay(&draw.statement, &draw.nonce, &draw.beacon)?;
    let out = json!({
        "statement_hash": hex::encode(computed.statement_hash),
        "nonce_commitment": hex::encode(nonce_commitment(&draw.nonce)),
        "seed": hex::encode(computed.seed),
        "result": serde_json::to_value(&computed.result).context("cannot encode the result")?,
    });
    let mut line = jcs::canonical_string(&out).context("cannot encode the output")?;
    line.push('\n');
    emit(&line)
}

/// What SPEC §2–5 give for a statement, nonce and beacon.
#[derive(Debug)]
pub(super) struct Replayed {
    pub statement_hash: [u8; 32],
    pub seed: [u8; 32],
    pub result: DrawResult,
}

/// Validates the statement (a broken rule is a rejection) and recomputes
/// its hash, the seed and the result.
pub(super) fn replay(
    statement: &Value,
    nonce: &[u8; 32],
    beacon: &str,
) -> Result<Replayed, Failure> {
    let valid = validate(statement).map_err(broken_rule)?;
    let canonical = jcs::canonical(statement).context("cannot canonicalise the statement")?;
    let statement_hash = sha256(&canonical);
    let seed = seed(&statement_hash, nonce, beacon);
    let result = select(&valid, seed).context("cannot compute the draw")?;
    Ok(Replayed {
        statement_hash,
        seed,
        result,
    })
}

/// The message names the rule first, as verifiers are required to.
fn broken_rule(e: InvalidStatement) -> Failure {
    rejected(format!("rule {}: {}", e.rule, e.message))
}

/// Malformed-input messages say which file; rule messages stand alone.
fn in_file(f: Failure, file: &str) -> Failure {
    match f {
        Failure::Input(e) => Failure::Input(e.context(format!("reading {file}"))),
        other => other,
    }
}

fn parse_input(text: &str) -> Result<DrawInput, Failure> {
    let value = jcs::parse_strict(text).map_err(|e| parse_failure(text, &e))?;
    let Value::Object(mut fields) = value else {
        return Err(anyhow!(
            "the input must be a JSON object with \"statement\", \"nonce\" and \"beacon\""
        )
        .into());
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "statement" | "nonce" | "beacon"))
    {
        return Err(anyhow!(
            "unknown field {unknown:?}; the input has exactly \"statement\", \"nonce\" and \"beacon\""
        )
        .into());
    }
    let statement = take(&mut fields, "statement")?;
    let nonce = match take(&mut fields, "nonce")? {
        Value::String(s) => parse_nonce(&s)?,
        _ => return Err(anyhow!("\"nonce\" must be a string of 64 hex digits").into()),
    };
    let beacon = match take(&mut fields, "beacon")? {
        Value::String(s) => s,
        _ => return Err(anyhow!("\"beacon\" must be a string (it may be empty)").into()),
    };
    Ok(DrawInput {
        statement,
        nonce,
        beacon,
    })
}

fn take(fields: &mut Map<String, Value>, name: &str) -> Result<Value, Failure> {
    fields
        .remove(name)
        .ok_or_else(|| anyhow!("the input has no {name:?} field").into())
}

pub(super) fn parse_nonce(s: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(s).ok().filter(|b| b.len() == 32);
    bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow!("\"nonce\" must be 64 hex digits (32 bytes), got {s:?}"))
}

/// Sorts a strict-parse failure into "the statement breaks rule N" (exit 1)
/// and "the input is malformed" (exit 2).
///
/// Duplicate keys and lone surrogates leave no statement to check further, so
/// they are rule 5. A number outside the integer profile also breaks rule 5,
/// but rules are checked in order and an earlier one may fail first (a
/// `count` of `2.0` breaks rule 2), so such a statement is read again
/// leniently and ranked by `validate`.
fn parse_failure(text: &str, e: &JsonProfileError) -> Failure {
    let in_statement = e.path == "/statement" || e.path.starts_with("/statement/");
    match &e.violation {
        ProfileViolation::Syntax(_) => anyhow!("{e}").into(),
        _ if !in_statement => anyhow!("{e}").into(),
        ProfileViolation::DuplicateKey(_) | ProfileViolation::LoneSurrogate(_) => {
            rejected(format!("rule 5: {e}"))
        }
        ProfileViolation::NonInteger | ProfileViolation::OutOfRange => {
            let lenient = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|mut v| v.get_mut("statement").map(Value::take));
            match lenient.map(|statement| validate(&statement)) {
                Some(Err(broken)) if broken.rule < 5 => broken_rule(broken),
                _ => rejected(format!("rule 5: {e}")),
            }
        }
    }
}
