//! The `expert-api` command: serve, migrate, token, import, review, audit.

fn main() -> std::process::ExitCode {
    expert_api::cli::main()
}
