//! Sanction cases through the API, for the access matrix and the case
//! tests: a civil-servant expert, and a case brought to a given step by the
//! admin with the bodies of `routes`.

use serde_json::{Value, json};

use crate::client::Api;
use crate::fixtures;
use crate::routes::{self, Subject};
use crate::server::Server;

/// An active civil-servant expert of `region` whose employer contact is
/// on record; returns (id, application).
pub fn civil_servant(s: &Server, region: &str) -> (String, Value) {
    let mut app = fixtures::application_in(region);
    app["civil_servant"] = json!(true);
    app["employer_contact"] =
        json!({"name": "人事处", "phone": "027-88886666", "address": "武汉市武昌区某路1号"});
    fixtures::active_expert(s, app)
}

/// POST `body` to `/api/v1/cases/{case_no}/{step}` and insist on `status`.
pub fn step(api: &Api, case_no: &str, step: &str, body: &Value, status: u16) -> Value {
    let r = api.post(&format!("/api/v1/cases/{case_no}/{step}"), body);
    assert_eq!(r.status, status, "{step} on {case_no}: {}", r.text);
    r.json
}

fn body(f: fn() -> Option<Value>) -> Value {
    f().expect("a body")
}

/// A case of a fresh civil-servant expert of 420100 at the step `subject`
/// names (see `routes::Subject`); returns (case number, expert id).
pub fn case_at(s: &Server, subject: Subject) -> (String, String) {
    let admin = s.admin();
    let (expert, _) = civil_servant(s, "420100");
    let r = admin.post(
        &format!("/api/v1/experts/{expert}/cases"),
        &body(routes::open_case_body),
    );
    assert_eq!(r.status, 201, "open: {}", r.text);
    let case_no = r.json["case_no"].as_str().expect("case_no").to_owned();
    let s200 = |name: &str, b: Value| {
        step(&admin, &case_no, name, &b, 200);
    };
    if subject == Subject::CaseOpened {
        return (case_no, expert);
    }
    s200("notice", body(routes::notice_body));
    match subject {
        Subject::CaseNoticed => return (case_no, expert),
        Subject::CaseHearingRequested => {
            s200(
                "hearing-request",
                json!({"on": fixtures::days_after(routes::case_base(), 1).to_string()}),
            );
            return (case_no, expert);
        }
        _ => {}
    }
    s200("decision", body(routes::decide_body));
    match subject {
        Subject::CaseDecided => return (case_no, expert),
        Subject::CaseLetter => {
            step(
                &admin,
                &case_no,
                "employer-letter",
                &body(routes::letter_body),
                201,
            );
            return (case_no, expert);
        }
        Subject::CaseReviewFiled => {
            let mut b = body(routes::file_review_body);
            b["reference"] = json!("R-1");
            s200("reviews", b);
            return (case_no, expert);
        }
        _ => {}
    }
    let today = fixtures::today().to_string();
    s200("effect", json!({"on": today}));
    if subject == Subject::CaseEffective {
        return (case_no, expert);
    }
    step(
        &admin,
        &case_no,
        "employer-letter",
        &body(routes::letter_body),
        201,
    );
    s200("employer-letter/delivery", body(routes::delivery_body));
    s200("publication", body(routes::publish_body));
    assert_eq!(
        subject,
        Subject::CasePublished,
        "no case step for {subject:?}"
    );
    (case_no, expert)
}
