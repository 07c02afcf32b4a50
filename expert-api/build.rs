// Migrations are embedded with `embed_migrations!`; without these lines a new
// migration file would not trigger a rebuild and would be silently missed.
fn main() {
    println!("cargo:rerun-if-changed=../migrations/sqlite");
    println!("cargo:rerun-if-changed=../migrations/postgres");
    // The console's files are embedded too (rust-embed, `debug-embed`).
    println!("cargo:rerun-if-changed=console");
}
