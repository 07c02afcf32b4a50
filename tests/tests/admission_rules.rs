//! Admission rules over HTTP: an application breaking many rules gets every
//! one of them back in one 422, each rule alone is reported alone, the
//! boundaries are admitted, and nothing refused is ever written. Approval
//! re-checks the rules under the policy in force.

use expert_draw_tests::fixtures::{
    self, born_aged, expert_count, log_size, pairs, validation_errors,
};
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn every_failed_rule_at_once(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let mut app = fixtures::application("420100", fixtures::date(1950, 5, 1));
    app["years_in_field"] = json!(3);
    app["title"] = json!("intermediate");
    app["specialties"] = json!([fixtures::SPECIALTY, "ENB01", "ENC01", "XX0101"]);
    app["documents"] = json!({});
    app["region"] = json!("429999");
    app["civil_servant"] = json!(true);
    app["employer_contact"] = Value::Null;
    let size = log_size(&s);
    let r = admin.post("/api/v1/experts", &app);
    let errors = validation_errors(&r);
    assert_eq!(
        sorted(errors),
        sorted(pairs(&[
            ("region", "unknown_region"),
            ("specialties/3", "unknown_specialty"),
            ("employer_contact", "required"),
            ("years_in_field", "too_few_years"),
            ("title", "title_too_low"),
            ("resident_id", "too_old"),
            ("specialties", "too_many_level2_specialties"),
            ("documents/integrity_pledge", "required"),
            ("documents/no_criminal_record", "required"),
        ])),
        "{}",
        r.text
    );
    // Every entry explains itself in both languages.
    for e in r.json["errors"].as_array().expect("errors") {
        assert!(!e["message"].as_str().unwrap_or_default().is_empty(), "{e}");
        assert!(
            !e["message_en"].as_str().unwrap_or_default().is_empty(),
            "{e}"
        );
    }
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("years_in_field")
    );
    // Nothing was written.
    assert_eq!(log_size(&s), size);
    assert_eq!(expert_count(&s), 0);

    // Identifiers are checked first, and all of them together.
    let mut app = fixtures::application_in("420100");
    app["resident_id"] = json!(fixtures::with_wrong_check_digit(
        app["resident_id"].as_str().expect("rid")
    ));
    app["mobile"] = json!("1390000");
    app["employer"]["code"] = json!(fixtures::with_wrong_check_char(
        app["employer"]["code"].as_str().expect("code")
    ));
    let r = admin.post("/api/v1/experts", &app);
    assert_eq!(
        validation_errors(&r),
        pairs(&[
            ("resident_id", "check_character"),
            ("mobile", "invalid_length"),
            ("employer/code", "check_character"),
        ])
    );
    assert_eq!(log_size(&s), size);
    assert_eq!(expert_count(&s), 0);
}

both_backends!(all_at_once, every_failed_rule_at_once);

type Edit = fn(&mut Value);

fn each_rule_alone_and_the_boundaries(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let refused: Vec<(&str, Edit, (&str, &str))> = vec![
        ("blank name", |a| a["name"] = json!("  "), ("name", "empty")),
        (
            "long name",
            |a| a["name"] = json!("张".repeat(51)),
            ("name", "too_long"),
        ),
        (
            "control character",
            |a| a["name"] = json!("张\u{7}三"),
            ("name", "control_character"),
        ),
        (
            "unknown region",
            |a| a["region"] = json!("110000"),
            ("region", "unknown_region"),
        ),
        (
            "blank employer",
            |a| a["employer"]["name"] = json!(""),
            ("employer/name", "empty"),
        ),
        (
            "no specialty",
            |a| a["specialties"] = json!([]),
            ("specialties", "empty"),
        ),
        (
            "level-2 specialty",
            |a| a["specialties"] = json!(["ENA"]),
            ("specialties/0", "specialty_too_broad"),
        ),
        (
            "unknown specialty",
            |a| a["specialties"] = json!(["ENA0899"]),
            ("specialties/0", "unknown_specialty"),
        ),
        (
            "duplicate specialty",
            |a| a["specialties"] = json!([fixtures::SPECIALTY, fixtures::SPECIALTY]),
            ("specialties/1", "duplicate"),
        ),
        (
            "7 years",
            |a| a["years_in_field"] = json!(7),
            ("years_in_field", "too_few_years"),
        ),
        (
            "intermediate title",
            |a| a["title"] = json!("intermediate"),
            ("title", "title_too_low"),
        ),
        (
            "no title",
            |a| a["title"] = json!("none"),
            ("title", "title_too_low"),
        ),
        (
            "aged 66",
            |a| set_birth(a, born_aged(66, 30)),
            ("resident_id", "too_old"),
        ),
        (
            "three level-2 categories",
            |a| a["specialties"] = json!(["ENA0801", "ENB01", "ENC01"]),
            ("specialties", "too_many_level2_specialties"),
        ),
        (
            "seven level-3 categories",
            |a| {
                a["specialties"] = json!([
                    "ENA01", "ENA02", "ENA03", "ENA04", "ENA05", "ENA06", "ENA07"
                ])
            },
            ("specialties", "too_many_level3_specialties"),
        ),
        (
            "no pledge",
            |a| a["documents"] = json!({"no_criminal_record": "doc/2"}),
            ("documents/integrity_pledge", "required"),
        ),
        (
            "blank record",
            |a| a["documents"] = json!({"integrity_pledge": "doc/1", "no_criminal_record": " "}),
            ("documents/no_criminal_record", "required"),
        ),
        (
            "civil servant without contact",
            |a| a["civil_servant"] = json!(true),
            ("employer_contact", "required"),
        ),
        (
            "contact without channel",
            |a| a["employer_contact"] = json!({"name": "人事处", "phone": " "}),
            ("employer_contact", "missing_contact_channel"),
        ),
        (
            "employed from tomorrow",
            |a| a["employed_since"] = json!(fixtures::days_after(fixtures::today(), 1).to_string()),
            ("employed_since", "out_of_range"),
        ),
    ];
    let size = log_size(&s);
    for (what, edit, (field, rule)) in refused {
        let mut app = fixtures::application_in("420100");
        edit(&mut app);
        let r = admin.post("/api/v1/experts", &app);
        assert_eq!(validation_errors(&r), pairs(&[(field, rule)]), "{what}");
    }
    assert_eq!(log_size(&s), size);
    assert_eq!(expert_count(&s), 0);

    // Just inside every limit: admitted.
    let admitted: Vec<(&str, Edit)> = vec![
        ("8 years", |a| a["years_in_field"] = json!(8)),
        ("equivalent qualification", |a| {
            a["title"] = json!("intermediate");
            a["senior_equivalent"] = json!(true);
        }),
        ("senior title", |a| a["title"] = json!("senior")),
        ("aged 65", |a| set_birth(a, born_aged(65, 30))),
        ("two level-2 categories", |a| {
            a["specialties"] = json!(["ENA0801", "ENB01"])
        }),
        ("six level-3 categories", |a| {
            a["specialties"] = json!(["ENA01", "ENA02", "ENA03", "ENA04", "ENA05", "ENA0601"]);
        }),
        ("civil servant with contact", |a| {
            a["civil_servant"] = json!(true);
            a["employer_contact"] = json!({"name": "人事处", "address": "武汉市洪山区"});
        }),
        ("no employed_since", |a| {
            a.as_object_mut().expect("object").remove("employed_since");
        }),
    ];
    for (what, edit) in admitted {
        let mut app = fixtures::application_in("420100");
        edit(&mut app);
        let r = admin.post("/api/v1/experts", &app);
        assert_eq!(r.status, 201, "{what}: {}", r.text);
        let id = r.json["id"].as_str().expect("id");
        let r = admin.post(
            &format!("/api/v1/experts/{id}/admission"),
            &json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 200, "{what}: {}", r.text);
    }
}

both_backends!(one_at_a_time, each_rule_alone_and_the_boundaries);

/// Replace the birth date inside the application's resident ID.
fn set_birth(app: &mut Value, birth: chrono::NaiveDate) {
    let rid = app["resident_id"].as_str().expect("rid");
    let sequence: u32 = rid[14..17].parse().expect("sequence");
    app["resident_id"] = json!(fixtures::resident_id(&rid[..6], birth, sequence));
}

fn approval_rechecks_under_the_current_policy(backend: Backend) {
    let s = Server::start(backend);
    let pending = fixtures::apply_ok(&s.admin(), &fixtures::application_in("420100"));
    let id = pending["id"].as_str().expect("id").to_owned();
    // The centre raises the bar to 20 years and restarts.
    let db = s.stop();
    let policy = db.path("policy.toml");
    std::fs::write(&policy, "[admission]\nmin_years_in_field = 20\n").expect("policy file");
    let s = Server::start_with(db, &["--config", policy.to_str().expect("utf-8 path")]);
    let size = log_size(&s);
    let r = s.admin().post(
        &format!("/api/v1/experts/{id}/admission"),
        &json!({"decision": "approve"}),
    );
    assert_eq!(
        validation_errors(&r),
        pairs(&[("years_in_field", "too_few_years")])
    );
    assert_eq!(log_size(&s), size);
    assert_eq!(fixtures::get_expert(&s, &id)["status"], "applicant");
    // A rejection needs no rule check.
    let r = s.admin().post(
        &format!("/api/v1/experts/{id}/admission"),
        &json!({"decision": "reject", "reasons": ["从业年限不足20年"]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "rejected");
}

both_backends!(
    approval_rechecks,
    approval_rechecks_under_the_current_policy
);

/// A bad identifier does not hide the other failed rules: the answer lists
/// the check-digit error together with every admission rule the rest of
/// the application breaks, and nothing is written.
fn bad_identifier_and_other_rules_together(backend: Backend) {
    let s = Server::start(backend);
    let op = s.token("operator", Some("420100"));
    let mut app = fixtures::application("420100", fixtures::born_aged(40, 100));
    let rid = app["resident_id"].as_str().expect("rid").to_owned();
    app["resident_id"] = json!(fixtures::with_wrong_check_digit(&rid));
    app["years_in_field"] = json!(3);
    app["title"] = json!("intermediate");
    app["specialties"] = json!(["NO-SUCH-CODE"]);
    let size = fixtures::log_size(&s);
    let r = op.post("/api/v1/experts", &app);
    assert_eq!(r.status, 422, "{}", r.text);
    let got: Vec<(String, String)> = r.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for want in [
        ("resident_id", "check_character"),
        ("years_in_field", "too_few_years"),
        ("title", "title_too_low"),
        ("specialties/0", "unknown_specialty"),
    ] {
        assert!(
            got.iter().any(|(f, r)| f == want.0 && r == want.1),
            "missing {want:?} in {got:?}"
        );
    }
    // The stand-in identity never leaks an age rule of its own.
    assert!(!got.iter().any(|(_, r)| r == "too_old"), "{got:?}");
    assert_eq!(fixtures::log_size(&s), size);
}

both_backends!(
    bad_identifier_does_not_hide_other_rules,
    bad_identifier_and_other_rules_together
);
