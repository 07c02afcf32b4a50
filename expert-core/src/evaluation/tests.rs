use super::*;
use crate::identity::with_check_char;

fn code(n: u32) -> String {
    with_check_char(&format!("91420100MA{n:07}")).unwrap()
}

fn panel() -> Vec<String> {
    vec!["E1".into(), "E2".into(), "E3".into()]
}

fn sheet(expert: &str, bidder: &str, price: u64, tech: u64) -> ScoreSheet {
    ScoreSheet {
        expert_id: expert.into(),
        bidder: bidder.into(),
        items: BTreeMap::from([("price".into(), Centi(price)), ("tech".into(), Centi(tech))]),
        total: Centi(price + tech),
    }
}

/// Three bidders, the third rejected; two scored by three members.
/// Totals: A = 90.00, 85.50, 88.00 → mean 87.833… → 87.83;
///         B = 80.00, 82.25, 79.00 → mean 80.4166… → 80.42.
fn valid() -> EvaluationResults {
    let (a, b, c) = (code(1), code(2), code(3));
    EvaluationResults {
        items: vec![
            Item {
                code: "price".into(),
                name: "投标报价".into(),
                max: Centi(4000),
            },
            Item {
                code: "tech".into(),
                name: "技术方案".into(),
                max: Centi(6000),
            },
        ],
        bidders: vec![
            Bidder {
                code: a.clone(),
                name: "甲建设有限公司".into(),
            },
            Bidder {
                code: b.clone(),
                name: "乙工程有限公司".into(),
            },
            Bidder {
                code: c.clone(),
                name: "丙集团有限公司".into(),
            },
        ],
        rejected: vec![Rejection {
            bidder: c,
            reason: "投标保证金未按要求提交".into(),
            basis: "招标文件第 3.4.1 条".into(),
        }],
        scores: vec![
            sheet("E1", &a, 3800, 5200),
            sheet("E2", &a, 3800, 4750),
            sheet("E3", &a, 3800, 5000),
            sheet("E1", &b, 3500, 4500),
            sheet("E2", &b, 3500, 4725),
            sheet("E3", &b, 3500, 4400),
        ],
        candidates: vec![
            Candidate {
                rank: 1,
                bidder: a,
                score: Centi(8783),
            },
            Candidate {
                rank: 2,
                bidder: b,
                score: Centi(8042),
            },
        ],
    }
}

fn rules(r: &EvaluationResults) -> Vec<(String, Rule)> {
    match check(r, &panel()) {
        Ok(_) => vec![],
        Err(e) => e.into_iter().map(|e| (e.field, e.rule)).collect(),
    }
}

#[test]
fn valid_results_pass_with_means_rounded_half_up() {
    let out = check(&valid(), &panel()).unwrap();
    assert_eq!(
        out.finals,
        vec![(code(1), Centi(8783)), (code(2), Centi(8042))]
    );
    assert_eq!(mean_half_up(5, 2), Centi(3)); // 2.5 → 3
    assert_eq!(mean_half_up(7, 3), Centi(2)); // 2.33 → 2
    assert_eq!(mean_half_up(26351, 3), Centi(8784)); // 8783.67 → 8784
}

#[test]
fn points_parse_exactly() {
    assert_eq!(Centi::parse("87.25"), Some(Centi(8725)));
    assert_eq!(Centi::parse("87.5"), Some(Centi(8750)));
    assert_eq!(Centi::parse("0"), Some(Centi(0)));
    for bad in ["", ".5", "5.", "-1", "1e2", "87.251", "1.2.3", "99999999"] {
        assert_eq!(Centi::parse(bad), None, "{bad}");
    }
    for (json, want) in [
        ("87.25", 8725),
        ("\"87.25\"", 8725),
        ("87", 8700),
        ("\"87.50\"", 8750),
        ("0.1", 10),
    ] {
        assert_eq!(
            serde_json::from_str::<Centi>(json).unwrap(),
            Centi(want),
            "{json}"
        );
    }
    for bad in [
        "87.251", "-3", "\"-3\"", "\"8e1\"", "1e300", "null", "true", "\"\"",
    ] {
        assert!(serde_json::from_str::<Centi>(bad).is_err(), "{bad}");
    }
    for v in [0, 1, 10, 99, 8725, 8750, 10_000, 99_999_999] {
        let json = serde_json::to_string(&Centi(v)).unwrap();
        assert!(json.starts_with('"'), "{json}");
        assert_eq!(
            serde_json::from_str::<Centi>(&json).unwrap(),
            Centi(v),
            "{json}"
        );
    }
    assert_eq!(Centi(8725).to_string(), "87.25");
    assert_eq!(Centi(8750).to_string(), "87.5");
    assert_eq!(Centi(8700).to_string(), "87");
    assert_eq!(Centi(5).to_string(), "0.05");
}

#[test]
fn a_score_above_the_item_maximum_is_refused() {
    let mut r = valid();
    r.scores[0].items.insert("price".into(), Centi(4001));
    r.scores[0].total = Centi(4001 + 5200);
    assert!(rules(&r).contains(&("scores/0/items/price".into(), Rule::OutOfRange)));
}

#[test]
fn a_total_must_be_the_sum_of_its_items() {
    let mut r = valid();
    r.scores[1].total = Centi(8551);
    assert_eq!(rules(&r)[0], ("scores/1/total".into(), Rule::TotalMismatch));
}

#[test]
fn a_candidate_score_must_be_the_rounded_mean() {
    let mut r = valid();
    r.candidates[0].score = Centi(8784);
    assert_eq!(
        rules(&r),
        vec![("candidates/0/score".into(), Rule::TotalMismatch)]
    );
}

#[test]
fn candidates_go_best_first_and_nobody_better_is_left_out() {
    let mut r = valid();
    r.candidates.swap(0, 1);
    r.candidates[0].rank = 1;
    r.candidates[1].rank = 2;
    assert!(rules(&r).contains(&("candidates/1/rank".into(), Rule::RankOrder)));
    let mut r = valid();
    r.candidates.remove(0);
    r.candidates[0].rank = 1;
    assert_eq!(rules(&r), vec![("candidates".into(), Rule::RankOrder)]);
    let mut r = valid();
    r.candidates[1].rank = 3;
    assert_eq!(
        rules(&r),
        vec![("candidates/1/rank".into(), Rule::RankOrder)]
    );
}

#[test]
fn rejected_bids_are_neither_scored_nor_candidates() {
    let mut r = valid();
    let c = code(3);
    r.scores.push(sheet("E1", &c, 100, 100));
    r.candidates.push(Candidate {
        rank: 3,
        bidder: c,
        score: Centi(0),
    });
    let got = rules(&r);
    assert!(
        got.contains(&("scores/6/bidder".into(), Rule::Rejected)),
        "{got:?}"
    );
    assert!(
        got.contains(&("candidates/2/bidder".into(), Rule::Rejected)),
        "{got:?}"
    );
}

#[test]
fn every_member_scores_every_scored_bid_once_and_only_members_score() {
    let mut r = valid();
    r.scores.remove(4);
    assert_eq!(rules(&r), vec![("scores".into(), Rule::Required)]);
    let mut r = valid();
    r.scores.push(r.scores[0].clone());
    assert!(rules(&r).contains(&("scores/6/bidder".into(), Rule::Duplicate)));
    let mut r = valid();
    r.scores[0].expert_id = "E9".into();
    let got = rules(&r);
    assert!(
        got.contains(&("scores/0/expert_id".into(), Rule::NotOnPanel)),
        "{got:?}"
    );
    assert!(got.contains(&("scores".into(), Rule::Required)), "{got:?}");
}

#[test]
fn items_must_be_exactly_the_criteria() {
    let mut r = valid();
    r.scores[0].items.remove("tech");
    r.scores[0].total = Centi(3800);
    assert!(rules(&r).contains(&("scores/0/items/tech".into(), Rule::Required)));
    let mut r = valid();
    r.scores[0].items.insert("bonus".into(), Centi(0));
    assert_eq!(
        rules(&r),
        vec![("scores/0/items/bonus".into(), Rule::UnknownReference)]
    );
}

#[test]
fn references_codes_and_texts_are_checked() {
    let mut r = valid();
    r.bidders[0].code = format!("{}0", &code(1)[..17]);
    r.bidders[1].name = " ".into();
    r.items.push(r.items[0].clone());
    r.rejected[0].reason = String::new();
    r.candidates = vec![Candidate {
        rank: 1,
        bidder: code(9),
        score: Centi(0),
    }];
    let got = rules(&r);
    for want in [
        ("bidders/1/name", Rule::Empty),
        ("items/2/code", Rule::Duplicate),
        ("rejected/0/reason", Rule::Empty),
        ("candidates/0/bidder", Rule::UnknownReference),
    ] {
        assert!(
            got.contains(&(want.0.into(), want.1)),
            "{want:?} in {got:?}"
        );
    }
    assert!(got.iter().any(|(f, _)| f == "bidders/0/code"), "{got:?}");
    let mut r = valid();
    r.candidates.clear();
    assert_eq!(rules(&r), vec![("candidates".into(), Rule::Required)]);
}

#[test]
fn results_round_trip_through_json() {
    let r = valid();
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"max\":\"40\""), "{json}");
    let back: EvaluationResults = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let unknown = json.replacen("\"items\":[", "\"extra\":1,\"items\":[", 1);
    assert!(serde_json::from_str::<EvaluationResults>(&unknown).is_err());
}
