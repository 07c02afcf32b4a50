//! Property tests: the fast selection equals the literal transcription of §5
//! on random pools, policies, panels and seeds, word for word of the stream.
//!
//! Pools are small (0..60) with few employers, few regions and hierarchical
//! specialties, so that the local and employer caps bind and groups overlap.

use std::collections::BTreeMap;

use expert_core::draw::select::select_with;
use expert_core::draw::{
    DrawResult, DrawStatement, Panel, PickStrategy, WordStream, select_reference, validate,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const PROJECT_REGION: &str = "420100";
const REGIONS: [&str; 3] = [PROJECT_REGION, "420200", "420600"];
const SPECIALTIES: [&str; 8] = [
    "A08", "A0801", "A0802", "A0901", "B01", "B0101", "B0102", "C1201",
];
const GROUP_SPECIALTIES: [&str; 8] = ["A", "A08", "A0801", "A09", "B", "B01", "C12", "D"];

prop_compose! {
    fn candidate()(
        region in 0..REGIONS.len(),
        employer in 0..5usize,
        specialties in proptest::collection::btree_set(0..SPECIALTIES.len(), 1..3),
        // Mostly small; sometimes the maximum, which floors weights to 0 or 1.
        recent in prop_oneof![8 => 0..10u32, 1 => Just(1_000_000u32), 1 => 100_000..1_000_000u32],
    ) -> Value {
        json!({
            "region": REGIONS[region],
            "employer": format!("ORG{employer}"),
            "specialties": specialties.into_iter().map(|s| SPECIALTIES[s]).collect::<Vec<_>>(),
            "recent": recent,
        })
    }
}

prop_compose! {
    fn group()(specialty in 0..GROUP_SPECIALTIES.len(), count in 1..=6u32, reserve in 0..=4u32) -> Value {
        json!({"specialty": GROUP_SPECIALTIES[specialty], "count": count, "reserve": reserve})
    }
}

prop_compose! {
    fn statement()(
        candidates in proptest::collection::vec(candidate(), 0..60),
        // Now and then more groups than a 64-bit mask holds: the pool
        // matches groups 64 at a time.
        panel in prop_oneof![
            9 => proptest::collection::vec(group(), 1..=3),
            1 => proptest::collection::vec(group(), 60..=70),
        ],
        remote_weight in prop_oneof![Just(1u32), Just(3u32), 1..=1000u32],
        local_max in 0..=4u32,
        max_per_employer in 1..=3u32,
    ) -> Value {
        let candidates: Vec<Value> = candidates
            .into_iter()
            .enumerate()
            .map(|(i, mut c)| {
                c["id"] = json!(format!("E{i:05}"));
                c
            })
            .collect();
        json!({
            "spec": "expert-draw/1",
            "draw_id": "D-prop",
            "project": {"id": "P", "region": PROJECT_REGION},
            "panel": panel,
            "policy": {
                "remote_weight": remote_weight,
                "local_max": local_max,
                "max_per_employer": max_per_employer,
            },
            "candidates": candidates,
        })
    }
}

fn valid(v: &Value) -> Result<DrawStatement, TestCaseError> {
    validate(v).map_err(|e| TestCaseError::fail(format!("generated statement invalid: {e}")))
}

/// Checks the result against §5's constraints directly (independently of
/// either implementation): distinct picks, matching, caps on primaries.
fn check_constraints(s: &DrawStatement, r: &DrawResult) -> Result<(), TestCaseError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut locals = 0u64;
    let mut per_employer: BTreeMap<&str, u64> = BTreeMap::new();
    for (g, group) in s.panel().iter().enumerate() {
        let primaries = r.primaries.get(g).map_or(&[][..], Vec::as_slice);
        let reserves = r.reserves.get(g).map_or(&[][..], Vec::as_slice);
        prop_assert!(primaries.len() <= group.count as usize);
        prop_assert!(reserves.len() <= group.reserve as usize);
        for id in primaries.iter().chain(reserves) {
            prop_assert!(seen.insert(id.clone()), "{id} picked twice");
            let c = s
                .candidate(id)
                .ok_or_else(|| TestCaseError::fail("unknown id"))?;
            prop_assert!(group.matches(&c));
            prop_assert!(s.weight(&c) > 0, "zero weight {id} picked");
        }
        for id in primaries {
            let c = s
                .candidate(id)
                .ok_or_else(|| TestCaseError::fail("unknown id"))?;
            locals += u64::from(s.is_local(&c));
            *per_employer.entry(c.employer()).or_insert(0) += 1;
        }
    }
    prop_assert!(locals <= u64::from(s.policy().local_max));
    prop_assert!(
        per_employer
            .values()
            .all(|&n| n <= s.policy().max_per_employer)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_equals_reference(v in statement(), seed in any::<[u8; 32]>()) {
        let s = valid(&v)?;
        let mut reference_stream = WordStream::new(seed);
        let want = select_reference(&s, &mut reference_stream)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_constraints(&s, &want)?;
        for strategy in [PickStrategy::Adaptive, PickStrategy::PrefixSums, PickStrategy::Fenwick] {
            let mut stream = WordStream::new(seed);
            let got = select_with(&s, &mut stream, strategy)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&got, &want, "{:?}", strategy);
            prop_assert_eq!(stream.words_taken(), reference_stream.words_taken(), "{:?}", strategy);
        }
        let shortfall = want.shortfall(s.panel());
        for (g, group) in s.panel().iter().enumerate() {
            prop_assert_eq!(shortfall[g] as usize + want.primaries[g].len(), group.count as usize);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any sequence of departures keeps the panel within the caps, never
    /// calls anyone in twice, and fills a seat exactly when a reserve
    /// qualifies.
    #[test]
    fn substitutions_keep_the_panel_within_policy(
        v in statement(),
        seed in any::<[u8; 32]>(),
        departures in proptest::collection::vec((0..3usize, 0..8usize), 0..12),
    ) {
        let s = valid(&v)?;
        let result = select_reference(&s, &mut WordStream::new(seed))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut panel = Panel::new(&s, &result).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut called_in = std::collections::BTreeSet::new();
        // An independent model of §6 on plain ids.
        let mut model: Vec<Vec<String>> = result.primaries.clone();
        let mut ever: std::collections::BTreeSet<String> =
            result.primaries.iter().flatten().cloned().collect();
        for (g, k) in departures {
            let g = g % s.panel().len();
            let Some(out) = panel.groups()[g].get(k).map(|m| m.id.clone()) else { continue };
            let before = panel.groups()[g].len();
            let expected = expected_replacement(&s, &result.reserves[g], &model, &ever, &out);
            let got = panel.substitute(&s, &result, g, &out)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&got, &expected);
            match &expected {
                Some(id) => {
                    model[g][k] = id.clone();
                    ever.insert(id.clone());
                }
                None => {
                    model[g].remove(k);
                }
            }
            let ids: Vec<Vec<String>> = panel
                .groups()
                .iter()
                .map(|members| members.iter().map(|m| m.id.clone()).collect())
                .collect();
            prop_assert_eq!(&ids, &model);
            prop_assert!(!panel.groups()[g].iter().any(|m| m.id == out));
            match &got {
                Some(id) => {
                    prop_assert!(result.reserves[g].contains(id));
                    prop_assert!(called_in.insert(id.clone()), "{} called in twice", id);
                    prop_assert_eq!(panel.groups()[g].len(), before);
                    prop_assert_eq!(&panel.groups()[g][k].id, id, "takes the outgoing place");
                }
                None => prop_assert_eq!(panel.groups()[g].len(), before - 1),
            }
            let members: Vec<_> = panel.groups().iter().flatten().collect();
            let locals = members.iter().filter(|m| m.local).count() as u64;
            prop_assert!(locals <= u64::from(s.policy().local_max));
            let mut per_employer: BTreeMap<&str, u64> = BTreeMap::new();
            for m in &members {
                *per_employer.entry(&m.employer).or_insert(0) += 1;
            }
            prop_assert!(per_employer.values().all(|&n| n <= s.policy().max_per_employer));
        }
    }

    /// Validation is total: arbitrary JSON never panics, and a rejection
    /// always names a rule in 1..=5.
    #[test]
    fn validation_never_panics(v in arbitrary_json()) {
        if let Err(e) = validate(&v) {
            prop_assert!((1..=5).contains(&e.rule));
        }
    }
}

/// §6 (a)–(c) read off the SPEC on plain ids: the first reserve never a
/// primary, within the caps of the panel without `out`.
fn expected_replacement(
    s: &DrawStatement,
    reserves: &[String],
    panel: &[Vec<String>],
    ever: &std::collections::BTreeSet<String>,
    out: &str,
) -> Option<String> {
    let others: Vec<&str> = panel
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|&id| id != out)
        .collect();
    let info = |id: &str| {
        s.candidate(id)
            .map(|c| (s.is_local(&c), c.employer().to_owned()))
    };
    let locals = others
        .iter()
        .filter(|id| info(id).is_some_and(|(l, _)| l))
        .count() as u64;
    reserves
        .iter()
        .find(|r| {
            let Some((local, employer)) = info(r) else {
                return false;
            };
            let same_employer = others
                .iter()
                .filter(|id| info(id).is_some_and(|(_, e)| e == employer))
                .count() as u64;
            !ever.contains(*r)
                && (!local || locals < u64::from(s.policy().local_max))
                && same_employer < s.policy().max_per_employer
        })
        .cloned()
}

/// Arbitrary JSON shaped like a statement often enough to reach later rules.
fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-3i64..20).prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-zA-Z0-9/-]{0,8}".prop_map(Value::String),
        Just(json!("expert-draw/1")),
    ];
    let keys = prop_oneof![
        Just("spec".to_owned()),
        Just("project".to_owned()),
        Just("region".to_owned()),
        Just("panel".to_owned()),
        Just("specialty".to_owned()),
        Just("count".to_owned()),
        Just("reserve".to_owned()),
        Just("policy".to_owned()),
        Just("remote_weight".to_owned()),
        Just("local_max".to_owned()),
        Just("max_per_employer".to_owned()),
        Just("candidates".to_owned()),
        Just("id".to_owned()),
        Just("employer".to_owned()),
        Just("specialties".to_owned()),
        Just("recent".to_owned()),
        "[a-z]{1,4}",
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(keys.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
