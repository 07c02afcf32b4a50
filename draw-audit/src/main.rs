//! The `draw-audit` command: an offline verifier for expert-draw/1 draws,
//! Merkle proofs and signed checkpoints, reading files and nothing else.
//!
//! The work lives in the pure `draw_audit` and `expert_core` libraries; the
//! `cli` module only reads inputs, calls them and reports.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
