//! Test support: a fresh database per test on SQLite or PostgreSQL, the real
//! `expert-api` binary started as a server on a free port, and a small HTTP
//! client. Tests go through these helpers, not through internals.

pub mod audit;
pub mod award;
pub mod backend;
pub mod browser;
pub mod cases;
pub mod client;
pub mod fixtures;
pub mod panel;
pub mod pool;
pub mod replay;
pub mod routes;
pub mod server;

pub use backend::{Backend, TestDb};
pub use client::{Api, Response};
pub use server::{Server, api_bin, audit_bin, cli, cli_ok, key_args, serve_refused};

/// Runs a scenario once per backend, as separate tests that can run in
/// parallel: `both_backends!(name, scenario_fn)` makes `name::sqlite` and
/// `name::postgres`, each calling `scenario_fn(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$scenario($crate::Backend::Sqlite);
            }
            #[test]
            fn postgres() {
                if let Some(skip) = $crate::backend::postgres_unavailable() {
                    eprintln!("SKIPPED {}::postgres: {skip}", module_path!());
                    return;
                }
                super::$scenario($crate::Backend::Postgres);
            }
        }
    };
}
