//! Resident memory per session in the in-process store, at 100 k and 1 M
//! sessions: each count is measured in a fresh child process, as the growth
//! of its resident set (`/proc/self/statm`) while the store fills.
//!
//! `cargo bench -p server --bench session_memory` (or, reusing the test
//! build, `cargo test -p server --bench session_memory`). Allocation sizes do
//! not depend on the optimisation level, so both give the same answer.

use std::process::Command;

/// The allocator the server binary uses (`src/main.rs`): how much a session
/// costs depends on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use server::auth::session::{DeviceSession, MemoryStore, SessionStore};
use server::auth::token::{self, TokenHash};

const COUNTS: [usize; 2] = [100_000, 1_000_000];
/// How the parent tells a child process which count to measure.
const CHILD_FLAG: &str = "--sessions";
/// A typical browser's user agent: what a session keeps about its device.
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Fills a store with `n` sessions of `n` different users; prints the growth.
fn measure(n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // Tokens made up front, so only the store's own memory is counted.
    let hashes: Vec<TokenHash> = (0..n).map(|_| TokenHash::of(&token::new_token())).collect();
    let store = MemoryStore::new();
    let before = resident_bytes();
    rt.block_on(async {
        for (i, hash) in hashes.iter().enumerate() {
            let now = 1_800_000_000;
            let record = DeviceSession {
                id: token::new_id(),
                user_id: token::new_id(),
                username: format!("user{i:07}"),
                created_at: now,
                last_seen_at: now,
                idle_expires_at: now + 86_400,
                absolute_expires_at: now + 14 * 86_400,
                user_agent: Some(USER_AGENT.into()),
                ip: Some("203.0.113.7".into()),
                persistent: true,
                member_since: Some(now - 86_400),
                amr: server::auth::Amr::Pwd,
            };
            store.insert(hash, &record).await.unwrap();
        }
    });
    let grown = resident_bytes() - before;
    println!(
        "memory store: {n:>9} sessions: {:>6.1} MiB resident, {:>4} bytes per session",
        grown as f64 / (1 << 20) as f64,
        grown / n as u64
    );
    drop((store, hashes));
}

fn main() {
    // A child measures one count; cargo's own arguments (`--bench`) are ignored.
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args.windows(2).find(|w| w[0] == CHILD_FLAG) {
        return measure(n[1].parse().expect("a session count"));
    }
    let me = std::env::current_exe().unwrap();
    for n in COUNTS {
        let status = Command::new(&me)
            .args([CHILD_FLAG, &n.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "measuring {n} sessions failed");
    }
}
