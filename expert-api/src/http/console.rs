//! The web console (issue 6): static files under `/console/`, compiled into
//! the binary (`expert-api/console/`), and `/` sending browsers there. The
//! pages are plain HTML and ES modules that call the same `/api/v1` as every
//! other client, with the caller's token; nothing here reads the database
//! or decides access.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

#[derive(rust_embed::Embed)]
#[folder = "console/"]
struct Files;

/// No inline script or style, nothing from elsewhere, never in a frame.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

fn content_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => return None,
    })
}

fn secured(mut res: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    res.insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    res
}

fn serve(name: &str) -> HttpResponse {
    match (Files::get(name), content_type(name)) {
        (Some(file), Some(ct)) => {
            let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
            secured(HttpResponse::Ok())
                .insert_header((header::CONTENT_TYPE, ct))
                .insert_header((header::ETAG, etag))
                .body(file.data.into_owned())
        }
        _ => secured(HttpResponse::NotFound())
            .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("not found"),
    }
}

/// `/` and `/console`: to the console's start page.
pub async fn to_console() -> HttpResponse {
    secured(HttpResponse::Found())
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

pub async fn index() -> HttpResponse {
    serve("index.html")
}

/// One file of the console by name (the folder is flat).
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    serve(&file.into_inner())
}
