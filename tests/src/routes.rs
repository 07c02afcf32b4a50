//! Every route the API serves, with who may call it: one row per route, one
//! expected status per caller. The access-matrix test walks it; the OpenAPI
//! test checks that the document and the source list exactly these routes.

use serde_json::{Value, json};

use crate::fixtures;

/// The callers of the matrix, in column order.
pub const CALLERS: [Caller; 7] = [
    Caller::Anonymous,
    Caller::Admin,
    Caller::Operator("420100"),
    Caller::Operator("420600"),
    Caller::Supervisor,
    Caller::Regulator(None),
    Caller::Regulator(Some("420600")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Admin,
    Operator(&'static str),
    Supervisor,
    Regulator(Option<&'static str>),
}

impl Caller {
    pub fn label(self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::Admin => "admin".into(),
            Caller::Operator(r) => format!("operator@{r}"),
            Caller::Supervisor => "supervisor".into(),
            Caller::Regulator(None) => "regulator".into(),
            Caller::Regulator(Some(r)) => format!("regulator@{r}"),
        }
    }
}

/// What `{id}` in the path stands for; made fresh for every cell, so each
/// allowed call can succeed and each refused one can be shown to change
/// nothing. Experts are of region 420100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Nothing,
    Applicant,
    Active,
    Rejected,
    /// Suspended until a passed test.
    SuspendedAfterTest,
    /// A throw-away supervisor token (its id).
    Token,
    /// A committed, unrevealed draw of a 420100 project (`{id}`).
    Draw,
    /// A revealed, sealed draw (`{id}`) and a seated member (`{pseudonym}`).
    RevealedDraw,
    /// A revealed draw whose evaluation has ended (`{id}`), not awarded.
    EvaluatedDraw,
    /// An open invitation's response token (`{token}`).
    Invitation,
    /// A rating link's token (`{token}`) for an `EvaluatedDraw`.
    RatingLink,
    /// Sanction cases (`{id}` the case number) of an active civil-servant
    /// expert of 420100, opened 30 days ago on `ignore_evaluation_criteria`
    /// (see [`case_base`]), at these steps:
    CaseOpened,
    /// Notice served on the base day, proposing a 6-month suspension
    /// (hearing offered); the defence window has ended.
    CaseNoticed,
    /// Noticed, and a hearing requested.
    CaseHearingRequested,
    /// Noticed, then decided today (suspension, effective today).
    CaseDecided,
    /// Decided, and the employer letter generated.
    CaseLetter,
    /// Decided, then in effect.
    CaseEffective,
    /// In effect, letter generated and delivered, published.
    CasePublished,
    /// Decided, with reconsideration `R-1` filed.
    CaseReviewFiled,
    /// A file of the web console (`{file}`).
    ConsoleFile,
    /// A period given as the query `?from=…&to=…` (the last half-year).
    Period,
}

/// The day the matrix's cases were opened and noticed: 30 days ago, so
/// the defence window has ended.
pub fn case_base() -> chrono::NaiveDate {
    fixtures::days_after(fixtures::today(), -30)
}

fn day(offset_from_base: i64) -> String {
    fixtures::days_after(case_base(), offset_from_base).to_string()
}

fn today_s() -> String {
    fixtures::today().to_string()
}

/// The grounds of the matrix's cases.
pub fn case_ground() -> Value {
    json!({"kind": "violation", "code": "ignore_evaluation_criteria"})
}

/// A 6-month suspension lifted after a passed test: inside the range of
/// `ignore_evaluation_criteria`, with a hearing right.
pub fn six_months() -> Value {
    json!({"measure": {"kind": "suspension", "months": 6, "restore": "after_test"}, "fine_yuan": null})
}

pub fn open_case_body() -> Option<Value> {
    Some(
        json!({"grounds": [case_ground()], "summary": "评标时未按招标文件规定的标准评审", "opened_on": day(0)}),
    )
}

pub fn notice_body() -> Option<Value> {
    Some(json!({
        "served_on": day(0),
        "facts": "在某项目评标中未按招标文件规定的评标标准和方法评标",
        "evidence": ["评标录像 2026-001", "评标报告第3页"],
        "legal_basis": ["《中华人民共和国招标投标法实施条例》第七十一条第（三）项"],
        "proposed": six_months(),
    }))
}

pub fn decide_body() -> Option<Value> {
    Some(json!({
        "decided_on": today_s(),
        "outcome": {"kind": "sanction", "sanction": six_months()},
        "found": [case_ground()],
        "reasons": "事实清楚，证据确凿，当事人未在期限内提出陈述申辩",
        "effective_on": today_s(),
    }))
}

pub fn letter_body() -> Option<Value> {
    Some(json!({"authority": "武汉市公共资源交易监督管理局"}))
}

/// A one-row roster of region 420100 as the import endpoint takes it; a
/// new person on every call.
pub fn import_body() -> Option<Value> {
    use base64::Engine;
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let seed = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut rows = expert_api::synth::roster(1, 7_000 + seed, fixtures::today());
    for r in &mut rows {
        r.region = "420100".into();
    }
    let mut csv = Vec::new();
    expert_api::synth::write_csv(&mut csv, &rows).ok()?;
    Some(json!({
        "format": "csv",
        "content_base64": base64::engine::general_purpose::STANDARD.encode(csv),
        "mode": "valid_only",
    }))
}

pub fn delivery_body() -> Option<Value> {
    Some(json!({"on": today_s(), "channel": "post", "reference": "挂号信 XA123"}))
}

pub fn publish_body() -> Option<Value> {
    Some(json!({"on": today_s(), "reference": "公示 2026-01"}))
}

pub fn file_review_body() -> Option<Value> {
    Some(
        json!({"kind": "reconsideration", "reference": "R-2", "filed_on": today_s(), "body": "武汉市人民政府"}),
    )
}

fn violation_body() -> Option<Value> {
    Some(json!({"code": "late_arrival", "occurred_on": today_s(), "evidence": ["现场记录 1"]}))
}

fn direct_case_body() -> Option<Value> {
    Some(
        json!({"grounds": [{"kind": "violation", "code": "phone_in_room"}], "summary": "评标期间使用手机"}),
    )
}

fn statement_body() -> Option<Value> {
    Some(json!({"received_on": day(1), "reference": "陈述书 1", "summary": "对事实有异议"}))
}

fn waive_defence_body() -> Option<Value> {
    Some(json!({"on": day(1), "reference": "放弃陈述申辩声明"}))
}

fn hearing_request_body() -> Option<Value> {
    Some(json!({"on": day(1)}))
}

fn hearing_body() -> Option<Value> {
    Some(json!({"on": today_s(), "record": "听证笔录 1"}))
}

fn hearing_waiver_body() -> Option<Value> {
    Some(json!({"on": day(1), "reference": "放弃听证声明"}))
}

fn on_today_body() -> Option<Value> {
    Some(json!({"on": today_s()}))
}

fn resolve_body() -> Option<Value> {
    Some(json!({"reference": "R-1", "on": today_s(), "outcome": {"kind": "upheld"}}))
}

fn withdraw_body() -> Option<Value> {
    Some(json!({"on": today_s(), "reason": "证据不足"}))
}

#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    /// As in the OpenAPI document, `{id}` for the path parameter.
    pub path: &'static str,
    /// Self-describing routes (the document and its viewer) are served but
    /// not listed in the document.
    pub documented: bool,
    pub subject: Subject,
    /// The request body, built afresh for every call.
    pub body: fn() -> Option<Value>,
    /// One status per entry of [`CALLERS`].
    pub expect: [u16; 7],
}

fn no_body() -> Option<Value> {
    None
}

const fn route(
    method: &'static str,
    path: &'static str,
    subject: Subject,
    body: fn() -> Option<Value>,
    expect: [u16; 7],
) -> Route {
    Route {
        method,
        path,
        documented: true,
        subject,
        body,
        expect,
    }
}

const fn undocumented(method: &'static str, path: &'static str, expect: [u16; 7]) -> Route {
    Route {
        method,
        path,
        documented: false,
        subject: Subject::Nothing,
        body: no_body,
        expect,
    }
}

use Subject::{
    Active, Applicant, CaseDecided, CaseEffective, CaseHearingRequested, CaseLetter, CaseNoticed,
    CaseOpened, CasePublished, CaseReviewFiled, ConsoleFile, Draw, EvaluatedDraw, Invitation,
    Nothing, Period, RatingLink, Rejected, RevealedDraw, SuspendedAfterTest, Token,
};

/// Columns: anonymous, admin, operator@420100, operator@420600, supervisor,
/// regulator, regulator@420600.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    // System and documentation: open to everyone.
    route("GET", "/healthz", Nothing, no_body,                           [200, 200, 200, 200, 200, 200, 200]),
    undocumented("GET", "/api/v1/openapi.json",                          [200, 200, 200, 200, 200, 200, 200]),
    undocumented("GET", "/api/v1/docs/",                                 [200, 200, 200, 200, 200, 200, 200]),
    // The web console: static files for everyone (`/` and `/console` are
    // redirects, followed here); its pages call the routes below.
    undocumented("GET", "/",                                             [200, 200, 200, 200, 200, 200, 200]),
    undocumented("GET", "/console",                                      [200, 200, 200, 200, 200, 200, 200]),
    undocumented("GET", "/console/",                                     [200, 200, 200, 200, 200, 200, 200]),
    Route { subject: ConsoleFile, ..undocumented("GET", "/console/{file}", [200, 200, 200, 200, 200, 200, 200]) },
    // Who the token is (the console's navigation): any signed-in caller.
    route("GET", "/api/v1/session", Nothing, no_body,                    [401, 200, 200, 200, 200, 200, 200]),
    // Reference data: any signed-in caller.
    route("GET", "/api/v1/reference/regions", Nothing, no_body,          [401, 200, 200, 200, 200, 200, 200]),
    route("GET", "/api/v1/reference/specialties", Nothing, no_body,      [401, 200, 200, 200, 200, 200, 200]),
    // The audit log: the signed head is public; entries, export and proofs
    // for auditors.
    route("GET", "/api/v1/audit/checkpoint", Nothing, no_body,           [200, 200, 200, 200, 200, 200, 200]),
    route("GET", "/api/v1/audit/vkey", Nothing, no_body,                 [200, 200, 200, 200, 200, 200, 200]),
    route("GET", "/api/v1/audit/entries", Nothing, no_body,              [401, 200, 403, 403, 200, 403, 403]),
    route("GET", "/api/v1/audit/export", Nothing, no_body,               [401, 200, 403, 403, 200, 403, 403]),
    route("GET", "/api/v1/audit/proof/inclusion", Nothing, no_body,      [401, 200, 403, 403, 200, 403, 403]),
    route("GET", "/api/v1/audit/proof/consistency", Nothing, no_body,    [401, 200, 403, 403, 200, 403, 403]),
    // The periodic review: admins and province-wide regulators.
    route("POST", "/api/v1/review", Nothing, review_body,                [401, 200, 403, 403, 403, 200, 403]),
    // Tokens: admins only.
    route("GET", "/api/v1/tokens", Nothing, no_body,                     [401, 200, 403, 403, 403, 403, 403]),
    route("POST", "/api/v1/tokens", Nothing, token_body,                 [401, 201, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/tokens/{id}", Token, no_body,               [401, 200, 403, 403, 403, 403, 403]),
    // The registry: operators write in their region, regulators decide and
    // discipline, everyone signed in reads (bound callers their region only;
    // a record elsewhere is "not found").
    route("POST", "/api/v1/experts", Nothing, application_body,         [401, 201, 201, 403, 403, 403, 403]),
    route("GET", "/api/v1/experts", Nothing, no_body,                    [401, 200, 200, 200, 200, 200, 200]),
    // A roster upload: a row of another region is reported, not written.
    route("POST", "/api/v1/experts/import", Nothing, import_body,       [401, 200, 200, 200, 403, 403, 403]),
    route("GET", "/api/v1/experts/{id}", Active, no_body,                [401, 200, 200, 404, 200, 200, 404]),
    route("PATCH", "/api/v1/experts/{id}/contact", Active, contact_body, [401, 200, 200, 404, 403, 403, 403]),
    route("POST", "/api/v1/experts/{id}/employer", Active, employer_body,[401, 200, 200, 404, 403, 403, 403]),
    route("POST", "/api/v1/experts/{id}/admission", Applicant, approve_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/experts/{id}/leave", Active, leave_body,      [401, 200, 200, 404, 403, 403, 403]),
    route("POST", "/api/v1/experts/{id}/suspend", Active, suspend_body,  [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/experts/{id}/reinstate", SuspendedAfterTest, reinstate_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/experts/{id}/retire", Active, retire_body,    [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/experts/{id}/remove", Active, remove_body,    [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/experts/{id}/reapply", Rejected, no_body,     [401, 200, 200, 404, 403, 403, 403]),
    route("POST", "/api/v1/experts/{id}/renewal", Active, approve_body,  [401, 200, 403, 403, 403, 200, 404]),
    // Draws: operators of the project's region and admins act, supervisors
    // read (the sealed panel too, logged), regulators have no part; a draw
    // of another region is "not found" to its operators.
    route("POST", "/api/v1/draws", Nothing, draw_body,                   [401, 201, 201, 403, 403, 403, 403]),
    route("GET", "/api/v1/draws", Nothing, no_body,                      [401, 200, 200, 200, 200, 403, 403]),
    route("GET", "/api/v1/draws/{id}", Draw, no_body,                    [401, 200, 200, 404, 200, 403, 403]),
    route("POST", "/api/v1/draws/{id}/reveal", Draw, empty_body,         [401, 200, 200, 404, 403, 403, 403]),
    route("GET", "/api/v1/draws/{id}/panel", RevealedDraw, no_body,      [401, 200, 403, 404, 200, 403, 403]),
    route("POST", "/api/v1/draws/{id}/members/{pseudonym}/decline", RevealedDraw, decline_body, [401, 200, 200, 404, 403, 403, 403]),
    route("POST", "/api/v1/draws/{id}/members/{pseudonym}/sign-in", RevealedDraw, empty_body, [401, 200, 200, 404, 403, 403, 403]),
    // Receipts name expert ids: sealed data until the panel unseals
    // (supervisors' and admins' reads logged); awards by those who act.
    route("GET", "/api/v1/draws/{id}/receipt", RevealedDraw, no_body,    [401, 200, 403, 404, 200, 403, 403]),
    // The receipt link's QR code names no sealed data: whoever reads the draw.
    route("GET", "/api/v1/draws/{id}/receipt/qr", RevealedDraw, no_body, [401, 200, 200, 404, 200, 403, 403]),
    route("POST", "/api/v1/draws/{id}/award", EvaluatedDraw, empty_body, [401, 201, 201, 404, 403, 403, 403]),
    // The award-notice check: no token needed; before an award (here: an
    // unknown project) the same 404 for everyone.
    route("POST", "/api/v1/public/panel-check", Nothing, panel_check_body, [404, 404, 404, 404, 404, 404, 404]),
    // Evaluation results: uploaded by those who act (here before the award:
    // refused as not awarded once the caller passes), read by staff of the
    // region; published to everyone after the award.
    route("POST", "/api/v1/draws/{id}/evaluation", EvaluatedDraw, evaluation_body, [401, 409, 409, 404, 403, 403, 403]),
    route("GET", "/api/v1/draws/{id}/evaluation", EvaluatedDraw, no_body, [401, 200, 200, 404, 200, 200, 404]),
    route("GET", "/api/v1/public/projects", Nothing, no_body,            [200, 200, 200, 200, 200, 200, 200]),
    // Without the required `project_id`: the same 400 for everyone.
    route("GET", "/api/v1/public/project", Nothing, no_body,             [400, 400, 400, 400, 400, 400, 400]),
    // Per-bid assessment: the region's operators and admins issue the
    // representative's rating link once the panel is unsealed; supervisors
    // score (here nobody served, so the sheet is refused by its rules once
    // the caller passes); staff of the region read the sheets and what is
    // owed. The link is the representative's credential (here for a draw
    // that does not exist: the same 404 for everyone).
    route("POST", "/api/v1/draws/{id}/rating-links", EvaluatedDraw, empty_body, [401, 201, 201, 404, 403, 403, 403]),
    route("POST", "/api/v1/draws/{id}/assessments", EvaluatedDraw, sheet_body, [401, 403, 403, 403, 422, 403, 403]),
    route("GET", "/api/v1/draws/{id}/assessments", EvaluatedDraw, no_body, [401, 200, 200, 404, 200, 200, 404]),
    route("GET", "/api/v1/draws/{id}/assessments/missing", EvaluatedDraw, no_body, [401, 200, 200, 404, 200, 200, 404]),
    route("GET", "/api/v1/rate/{token}", RatingLink, no_body,           [200, 200, 200, 200, 200, 200, 200]),
    route("POST", "/api/v1/rate/{token}", RatingLink, rate_body,        [404, 404, 404, 404, 404, 404, 404]),
    // Signals for supervisors (and admins).
    route("GET", "/api/v1/signals/scores", Nothing, no_body,            [401, 200, 403, 403, 200, 403, 403]),
    route("GET", "/api/v1/signals/pairs", Nothing, no_body,             [401, 200, 403, 403, 200, 403, 403]),
    // Oversight: supervisors, regulators and admins; a bound caller gets
    // its own region.
    route("GET", "/api/v1/oversight/metrics", Period, no_body,          [401, 200, 403, 403, 200, 200, 200]),
    route("GET", "/api/v1/oversight/report", Period, no_body,           [401, 200, 403, 403, 200, 200, 200]),
    // A public manual draw by RFC 3797, on the record.
    route("POST", "/api/v1/rfc3797", Nothing, rfc3797_body,              [401, 200, 200, 200, 200, 403, 403]),
    // Discipline: supervisors on site and regulators record violations and
    // read them; regulators open and move cases (bound ones in their
    // region; elsewhere "not found"); supervisors read cases.
    route("POST", "/api/v1/experts/{id}/violations", Active, violation_body, [401, 201, 403, 403, 201, 201, 404]),
    route("GET", "/api/v1/experts/{id}/violations", Active, no_body,       [401, 200, 403, 403, 200, 200, 404]),
    route("POST", "/api/v1/experts/{id}/cases", Active, direct_case_body,  [401, 201, 403, 403, 403, 201, 404]),
    route("GET", "/api/v1/proposals", Nothing, no_body,                    [401, 200, 403, 403, 403, 200, 200]),
    route("GET", "/api/v1/cases", Nothing, no_body,                        [401, 200, 403, 403, 200, 200, 200]),
    route("GET", "/api/v1/cases/{id}", CaseOpened, no_body,                [401, 200, 403, 403, 200, 200, 404]),
    route("POST", "/api/v1/cases/{id}/notice", CaseOpened, notice_body,    [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/statements", CaseNoticed, statement_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/defence-waiver", CaseNoticed, waive_defence_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/hearing-request", CaseNoticed, hearing_request_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/hearing", CaseHearingRequested, hearing_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/hearing-waiver", CaseNoticed, hearing_waiver_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/decision", CaseNoticed, decide_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/effect", CaseDecided, on_today_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/publication", CaseEffective, publish_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/employer-letter", CaseDecided, letter_body, [401, 201, 403, 403, 403, 201, 404]),
    route("POST", "/api/v1/cases/{id}/employer-letter/delivery", CaseLetter, delivery_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/reviews", CaseDecided, file_review_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/review-outcome", CaseReviewFiled, resolve_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/close", CasePublished, on_today_body, [401, 200, 403, 403, 403, 200, 404]),
    route("POST", "/api/v1/cases/{id}/withdrawal", CaseOpened, withdraw_body, [401, 200, 403, 403, 403, 200, 404]),
    // Decided and published penalties: public, rate-limited.
    route("GET", "/api/v1/public/penalties", Nothing, no_body,            [200, 200, 200, 200, 200, 200, 200]),
    // The invited expert's one-time link: the token is the credential.
    route("GET", "/api/v1/respond/{token}", Invitation, no_body,         [200, 200, 200, 200, 200, 200, 200]),
    route("POST", "/api/v1/respond/{token}", Invitation, accept_body,    [200, 200, 200, 200, 200, 200, 200]),
];

/// Evaluation results of the right shape (their checks come after the
/// award's).
pub fn evaluation_body() -> Option<Value> {
    let bidder = fixtures::credit_code("420100", 9_100_001);
    Some(json!({"results": {
        "items": [{"code": "price", "name": "投标报价", "max": "100"}],
        "bidders": [{"code": bidder, "name": "甲建设有限公司"}],
        "scores": [],
        "candidates": [{"rank": 1, "bidder": bidder, "score": "0"}],
    }}))
}

/// A draw request for a new 420100 project (a fresh project id each time,
/// so that the open-draw guard never applies), starting in two hours.
pub fn draw_body() -> Option<Value> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let start = chrono::Utc::now() + chrono::Duration::hours(2);
    Some(json!({
        "project": {
            "id": format!("P-M{n}"),
            "name": "矩阵测试项目",
            "region": "420100",
            "tenderer": fixtures::credit_code("420100", 8_000_000 + n),
            "bid_section": "1",
        },
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + chrono::Duration::hours(4)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "评标室",
        },
        "panel": [{"specialty": "ENA08", "count": 5, "reserve": 1}],
        "representatives": 0,
    }))
}

/// A complete sheet with the default items, for a member of no panel.
pub fn sheet_body() -> Option<Value> {
    Some(json!({
        "expert_id": "E-NOBODY",
        "scores": {"professional_competence": 25, "evaluation_quality": 25, "discipline": 18, "integrity": 18},
    }))
}

fn rate_body() -> Option<Value> {
    let mut body = sheet_body()?;
    body["draw_id"] = json!("D-NONE");
    Some(body)
}

fn panel_check_body() -> Option<Value> {
    Some(json!({"project_id": "P-NOT-AWARDED", "bid_section": "1", "names": ["张三"]}))
}

fn rfc3797_body() -> Option<Value> {
    Some(json!({"candidates": ["A", "B", "C"], "sources": ["9319"], "count": 1, "purpose": "矩阵"}))
}

fn empty_body() -> Option<Value> {
    Some(json!({}))
}

fn decline_body() -> Option<Value> {
    Some(json!({"evidence": "电话记录 #1"}))
}

fn accept_body() -> Option<Value> {
    Some(json!({"answer": "accept"}))
}

fn review_body() -> Option<Value> {
    Some(json!({"as_of": fixtures::today().to_string(), "dry_run": true}))
}

fn token_body() -> Option<Value> {
    Some(json!({"role": "supervisor", "label": "matrix"}))
}

fn application_body() -> Option<Value> {
    Some(fixtures::application_in("420100"))
}

fn contact_body() -> Option<Value> {
    Some(json!({"mobile": "13700001111"}))
}

fn employer_body() -> Option<Value> {
    Some(json!({
        "employer": {"name": "武汉新单位", "code": fixtures::credit_code("420100", 9_999_999)},
        "since": fixtures::today().to_string(),
    }))
}

fn approve_body() -> Option<Value> {
    Some(json!({"decision": "approve"}))
}

fn leave_body() -> Option<Value> {
    let today = fixtures::today();
    Some(json!({
        "from": today.to_string(),
        "to": fixtures::days_after(today, 7).to_string(),
        "reason": "出差",
    }))
}

fn suspend_body() -> Option<Value> {
    Some(json!({"restore": "after_test", "reason": "评审失职"}))
}

fn reinstate_body() -> Option<Value> {
    Some(json!({"via": {"kind": "test_passed", "reference": "T-1"}}))
}

fn retire_body() -> Option<Value> {
    Some(json!({"reason": "voluntary"}))
}

fn remove_body() -> Option<Value> {
    Some(json!({"reason": "收受财物"}))
}
