//! Substitution beyond the vectors: the supplementary-draw parameters of §6,
//! a supplementary pick joining and leaving, and every error variant.
//!
//! The result is written by hand: substitution only reads the lists, so the
//! scenario can place exactly the conflicts it wants to test.
#![expect(
    clippy::unwrap_used,
    reason = "clippy only exempts #[test] fns; the fixtures fail loudly"
)]

use expert_core::draw::{DrawResult, Member, Panel, SubstitutionError, replacement, validate};
use serde_json::json;

fn statement() -> expert_core::draw::DrawStatement {
    let c = |id: &str, region: &str, employer: &str, specialty: &str| json!({"id": id, "region": region, "employer": employer, "specialties": [specialty], "recent": 0});
    validate(&json!({
        "spec": "expert-draw/1",
        "draw_id": "D-1",
        "project": {"region": "420100"},
        "panel": [
            {"specialty": "A08", "count": 2, "reserve": 2},
            {"specialty": "B01", "count": 1, "reserve": 0},
        ],
        "policy": {"remote_weight": 3, "local_max": 1, "max_per_employer": 1},
        "candidates": [
            c("E1", "420100", "ORG1", "A0801"),
            c("E2", "420600", "ORG2", "A0801"),
            c("E3", "420100", "ORG3", "A0802"),
            c("E4", "420600", "ORG5", "A0802"),
            c("E5", "420600", "ORG5", "B0101"),
        ],
    }))
    .unwrap()
}

fn result() -> DrawResult {
    serde_json::from_value(json!({
        "primaries": [["E1", "E2"], ["E5"]],
        "reserves": [["E3", "E4"], []],
    }))
    .unwrap()
}

#[test]
fn a_gap_leads_to_a_supplementary_draw_whose_pick_can_leave_again() {
    let (s, r) = (statement(), result());
    let mut panel = Panel::new(&s, &r).unwrap();

    // E3 is local and E1 keeps the panel at local_max; E4's employer ORG5
    // already sits on the panel (E5): nobody qualifies, the seat empties.
    assert_eq!(replacement(&s, &r, &panel, 0, "E2").unwrap(), None);
    assert_eq!(panel.substitute(&s, &r, 0, "E2").unwrap(), None);
    let ids = |p: &Panel| -> Vec<Vec<String>> {
        p.groups()
            .iter()
            .map(|g| g.iter().map(|m| m.id.clone()).collect())
            .collect()
    };
    assert_eq!(ids(&panel), [vec!["E1"], vec!["E5"]]);

    let supp = panel.supplementary(&s, &r, 0).unwrap();
    assert_eq!(supp.parent.as_deref(), Some("D-1"));
    assert_eq!(supp.specialty, "A08");
    assert_eq!(supp.count, 1);
    assert_eq!(supp.policy.local_max, 0, "1 minus the one local left (E1)");
    assert_eq!(supp.policy.remote_weight, 3);
    assert_eq!(supp.policy.max_per_employer, 1);
    assert_eq!(
        supp.excluded_ids
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["E1", "E2", "E3", "E4", "E5"]
    );
    assert_eq!(
        supp.excluded_employers
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["ORG1", "ORG5"]
    );
    assert!(supp.admits("E9", "ORG2"));
    assert!(!supp.admits("E9", "ORG5") && !supp.admits("E3", "ORG7"));

    // The supplementary draw's pick joins; when it leaves, the replacement
    // comes from the supplementary draw's own reserves by the same rule.
    let member = |id: &str, local: bool, employer: &str| Member {
        id: id.into(),
        local,
        employer: employer.into(),
    };
    panel.join(0, member("E9", false, "ORG9")).unwrap();
    assert!(panel.has_been_primary("E9"));
    let supp_reserves = [
        member("E10", true, "ORG10"),
        member("E11", false, "ORG5"),
        member("E12", false, "ORG9"),
    ];
    // E10 local (E1 holds the local seat), E11's ORG5 is on the panel, E12's
    // ORG9 only through the outgoing E9 itself: E12 qualifies.
    assert_eq!(
        panel
            .substitute_among(0, "E9", &supp_reserves)
            .unwrap()
            .as_deref(),
        Some("E12")
    );
    assert_eq!(ids(&panel), [vec!["E1", "E12"], vec!["E5"]]);

    // E1 leaves: without it no local is left, so the local reserve E3 fits.
    assert_eq!(
        panel.substitute(&s, &r, 0, "E1").unwrap().as_deref(),
        Some("E3")
    );
    assert_eq!(ids(&panel), [vec!["E3", "E12"], vec!["E5"]]);
    // E3 leaves again: E3 has been a primary now, E4's ORG5 is still on.
    assert_eq!(panel.substitute(&s, &r, 0, "E3").unwrap(), None);
    assert!(panel.has_been_primary("E3"));
}

#[test]
fn every_error_is_reported() {
    let (s, r) = (statement(), result());
    let mut panel = Panel::new(&s, &r).unwrap();
    assert_eq!(
        panel.substitute(&s, &r, 5, "E1"),
        Err(SubstitutionError::NoSuchGroup(5))
    );
    assert_eq!(
        panel.substitute(&s, &r, 1, "E1"),
        Err(SubstitutionError::NotOnPanel {
            group: 1,
            id: "E1".into()
        })
    );
    assert!(panel.supplementary(&s, &r, 2).is_err());
    assert!(
        panel
            .join(
                3,
                Member {
                    id: "E9".into(),
                    local: false,
                    employer: "X".into()
                }
            )
            .is_err()
    );

    let unknown: DrawResult =
        serde_json::from_value(json!({"primaries": [["E1", "E99"], []], "reserves": [[], []]}))
            .unwrap();
    assert_eq!(
        Panel::new(&s, &unknown),
        Err(SubstitutionError::UnknownCandidate("E99".into()))
    );
    let short: DrawResult =
        serde_json::from_value(json!({"primaries": [["E1"]], "reserves": [[]]})).unwrap();
    assert_eq!(
        Panel::new(&s, &short),
        Err(SubstitutionError::ResultMismatch {
            result: 1,
            statement: 2
        })
    );
    // A result with unknown fields is not the SPEC's result.
    assert!(
        serde_json::from_value::<DrawResult>(json!({"primaries": [], "reserves": [], "x": 1}))
            .is_err()
    );
}
