//! Shared by the draw-engine and statement-hashing benches: the
//! 1,000,000-candidate statement of BENCHMARKS.md and the machine line.
//! (`draw-audit/benches/statement_hash.rs` includes this file by path.)

pub const CANDIDATES: usize = 1_000_000;
pub const EMPLOYERS: u64 = 100_000;

/// splitmix64: a fixed generator for the synthetic pool, so every run
/// measures the same statement.
pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The statement as JSON text: about half local, 100,000 employers,
/// `recent` 0..=8, `remote_weight` 3, `local_max` 3, `max_per_employer` 1.
pub fn statement_text() -> String {
    let mut g = Gen(2026);
    let mut s = String::with_capacity(CANDIDATES * 110);
    s.push_str(
        r#"{"spec":"expert-draw/1","draw_id":"D-bench","project":{"id":"P-bench","region":"420100"},"panel":[{"specialty":"A08","count":10,"reserve":10}],"policy":{"remote_weight":3,"local_max":3,"max_per_employer":1},"candidates":["#,
    );
    for i in 0..CANDIDATES {
        if i > 0 {
            s.push(',');
        }
        let region = if g.next().is_multiple_of(2) {
            "420100"
        } else {
            "420600"
        };
        let employer = g.next() % EMPLOYERS;
        let specialty = ["A0801", "A0802", "A0803"][(g.next() % 3) as usize];
        let recent = g.next() % 9;
        s.push_str(&format!(
            r#"{{"id":"E{i:07}","region":"{region}","employer":"ORG{employer:06}","specialties":["{specialty}"],"recent":{recent}}}"#
        ));
    }
    s.push_str("]}");
    s
}

/// Cores, CPU model and load average, so that every figure names its machine.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}, load average {}", load_average())
}
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}
