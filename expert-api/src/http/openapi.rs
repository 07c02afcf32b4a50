//! The OpenAPI 3.1 document, generated from the handlers' own annotations,
//! and Swagger UI (vendored: nothing is downloaded at build time).

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    assessments, audit, cases, draws, evaluations, experts, import, oversight, public, receipts,
    reference, respond, review, rfc3797, signals, tokens,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "expert-draw API",
        description = "评标专家库与可验证抽取 — evaluation-expert pool and verifiable panel draws. \
            Errors are RFC 9457 application/problem+json naming the field and the rule.",
    ),
    paths(
        super::healthz,
        experts::apply,
        import::import_roster,
        experts::list,
        experts::get,
        experts::update_contact,
        experts::change_employer,
        experts::decide_admission,
        experts::grant_leave,
        experts::suspend,
        experts::reinstate,
        experts::retire,
        experts::remove,
        experts::reapply,
        experts::renew,
        reference::regions,
        reference::specialties,
        review::run,
        audit::checkpoint,
        audit::vkey,
        audit::entries,
        audit::export,
        audit::proof::inclusion,
        audit::proof::consistency,
        tokens::create,
        tokens::list,
        tokens::revoke,
        tokens::session,
        draws::create,
        draws::list,
        draws::get,
        draws::reveal,
        draws::panel,
        draws::decline,
        draws::sign_in,
        receipts::receipt,
        receipts::receipt_qr,
        receipts::award,
        public::panel_check,
        public::projects,
        public::project,
        evaluations::upload,
        evaluations::versions,
        assessments::issue_link,
        assessments::submit,
        assessments::list,
        assessments::missing,
        assessments::show_link,
        assessments::rate,
        signals::scores,
        signals::pairs,
        oversight::get_metrics,
        oversight::get_report,
        respond::show,
        respond::answer,
        rfc3797::select,
        cases::record_violation,
        cases::expert_violations,
        cases::proposals,
        cases::open_case,
        cases::list_cases,
        cases::get_case,
        cases::serve_notice,
        cases::receive_statement,
        cases::waive_defence,
        cases::request_hearing,
        cases::hold_hearing,
        cases::waive_hearing,
        cases::decide,
        cases::take_effect,
        cases::publish_notice,
        cases::generate_letter,
        cases::deliver_letter,
        cases::file_review,
        cases::resolve_review,
        cases::close,
        cases::withdraw,
        cases::penalties,
    ),
    components(schemas(super::problem::Problem, super::problem::FieldProblem)),
    modifiers(&BearerAuth),
    tags(
        (name = "experts", description = "专家 — the expert registry, admission and lifecycle"),
        (name = "reference", description = "Region codes and the specialty tree"),
        (name = "review", description = "动态调整 — the periodic review"),
        (name = "audit", description = "The signed, append-only audit log"),
        (name = "tokens", description = "API tokens (admins)"),
        (name = "draws", description = "抽取 — verifiable draws, sealed panels, substitution, sign-in"),
        (name = "cases", description = "惩戒 — violations, points, proposals and sanction cases with due process"),
        (name = "public", description = "公示核对 — the award-notice check (public, rate-limited)"),
        (name = "assessments", description = "一标一评 — per-bid assessment of each panel member; the representative's one-time rating link"),
        (name = "signals", description = "监督信号 — score deviation, favourite bidders, pairs seated together (supervisors)"),
        (name = "respond", description = "The invited expert's answer (public, one-time link)"),
        (name = "system", description = "Health"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json));
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Swagger UI at `/api/v1/docs/`, reading `/api/v1/openapi.json`.
pub fn swagger_ui() -> utoipa_swagger_ui::SwaggerUi {
    utoipa_swagger_ui::SwaggerUi::new("/api/v1/docs/{_:.*}")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"))
}
