//! expert-api: the shell around the pure domain. It owns the database (diesel
//! over SQLite or PostgreSQL), the HTTP API (actix-web), auth and the CLI.
//!
//! Architecture invariant: this is the only crate that touches a database,
//! the network or the wall clock; it calls expert-core for every rule.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod draws;
pub mod facts;
pub mod http;
pub mod import;
pub mod intake;
pub mod keys;
pub mod notify;
pub mod registry;
pub mod report;
pub mod simulate;
pub mod store;
pub mod synth;
