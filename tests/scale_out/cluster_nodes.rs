//! What `CLUSTER NODES` says, read for the private cluster's checks: which
//! node is a master, of which slots, and whether it is reachable.

use std::collections::HashSet;

use super::{cli, MASTERS, SLOTS};

/// The ids of the masters among `live` that own all slots, if they are 3.
pub fn owners<'a>(table: &'a [Entry], live: &HashSet<u16>) -> Option<HashSet<&'a str>> {
    let owning = |n: &&Entry| n.master && n.ok && n.slots() > 0 && live.contains(&n.port);
    let masters: Vec<&Entry> = table.iter().filter(owning).collect();
    let slots: u32 = masters.iter().map(|n| n.slots()).sum();
    let ids = masters.iter().map(|n| n.id.as_str());
    (masters.len() == MASTERS && slots == SLOTS).then(|| ids.collect())
}

/// A line of CLUSTER NODES: `<id> <ip:port@bus> <flags> <master id or ->
/// <ping> <pong> <epoch> <link> <slot ranges>...`.
pub struct Entry {
    pub id: String,
    pub port: u16,
    pub master: bool,
    /// Its master's id, for a replica.
    pub of: String,
    /// Connected, and neither suspected nor failed nor still joining.
    pub ok: bool,
    pub ranges: Vec<std::ops::RangeInclusive<u32>>,
}

impl Entry {
    pub fn slots(&self) -> u32 {
        self.ranges.iter().map(|r| r.end() - r.start() + 1).sum()
    }
}

pub async fn nodes(port: u16) -> Option<Vec<Entry>> {
    let text = cli(port, &["cluster", "nodes"]).await?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(entry)
        .collect()
}

fn entry(line: &str) -> Option<Entry> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let flags = *f.get(2)?;
    let bad = ["fail", "handshake", "noaddr"]
        .iter()
        .any(|b| flags.contains(b));
    // Slots being migrated show as `[slot->-id]`: whole ranges only.
    let ranges = f.get(8..)?.iter().filter(|s| !s.starts_with('['));
    let ranges = ranges.map(|s| {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        Some(a.parse().ok()?..=b.parse().ok()?)
    });
    Some(Entry {
        id: f[0].to_string(),
        port: f[1].split('@').next()?.rsplit(':').next()?.parse().ok()?,
        master: flags.contains("master"),
        of: f[3].to_string(),
        ok: f[7] == "connected" && !bad,
        ranges: ranges.collect::<Option<_>>()?,
    })
}
