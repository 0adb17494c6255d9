//! The benchmark's figures on `/tradeoffs`: the run in
//! `docs/performance.json` (the `results.json` of `scripts/bench.sh`, plus
//! criterion's figures), bundled at build time so the page needs no file at
//! run time, put in words once.

use std::sync::OnceLock;

use serde_json::Value;
use views::tradeoffs::{CaseFigure, Measured, MeasuredConfig};

/// The benchmark run the page quotes.
const RUN: &str = include_str!("../../../docs/performance.json");

/// The bundled run, read once.
pub fn bundled() -> Option<Measured> {
    static PARSED: OnceLock<Option<Measured>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let parsed = serde_json::from_str::<Value>(RUN)
                .ok()
                .and_then(|v| parse(&v));
            if parsed.is_none() {
                tracing::error!("docs/performance.json could not be read");
            }
            parsed
        })
        .clone()
}

fn parse(run: &Value) -> Option<Measured> {
    let host = run.get("host")?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let machine = format!(
        "{} cores · {} · Linux {}",
        host.get("nproc")?.as_u64()?,
        text(host, "cpu").unwrap_or_default(),
        text(host, "kernel").unwrap_or_default()
    );
    let configs = run
        .get("configs")?
        .as_array()?
        .iter()
        .filter_map(|c| {
            Some(MeasuredConfig {
                key: text(c, "key")?,
                label: text(c, "label")?,
                cookie_bytes: c.get("cookie_header_bytes")?.as_u64()?,
                auth_cpu_us: c.get("auth_cpu_us_per_req")?.as_f64()?,
                store_ops: c
                    .pointer("/runs/plain_signed_in/app_store_operations_per_req")
                    .and_then(Value::as_f64),
                payload_bytes: c.get("access_payload_bytes").and_then(Value::as_u64),
            })
        })
        .collect();
    let criterion = run.get("criterion");
    let figure = |key: &str| criterion.and_then(|c| c.get(key));
    let criterion_date: String = figure("measured_on")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(10)
        .collect();
    Some(Measured {
        date: text(host, "date")?,
        machine,
        configs,
        revocation_lag: cases(run.get("revocation_lag"), |c| {
            Some(format!(
                "p50 {:.1} ms, p99 {:.1} ms over {} revocations",
                c.get("p50_ms")?.as_f64()?,
                c.get("p99_ms")?.as_f64()?,
                c.get("n")?.as_u64()?
            ))
        }),
        load_balancer: cases(run.get("load_balancer"), |c| {
            Some(format!(
                "{:.0} % of {} signed-in requests came back anonymous when the cookie was sent \
                 every time, {:.0} % from a browser (it drops a cookie an instance clears)",
                c.get("anonymous_share_pct")?.as_f64()?,
                c.get("requests")?.as_u64()?,
                c.get("browser_anonymous_share_pct")?.as_f64()?
            ))
        }),
        memory_per_session: figure("memory_per_session").and_then(|m| {
            Some(format!(
                "{} bytes per session with {} sessions held (cargo bench, {})",
                m.get("bytes")?.as_u64()?,
                grouped(m.get("sessions")?.as_u64()?),
                criterion_date
            ))
        }),
        refresh_rotation: figure("refresh_rotation_us").and_then(|us| {
            Some(format!(
                "{:.0} µs per rotation in SQLite (cargo bench, {})",
                us.as_f64()?,
                criterion_date
            ))
        }),
        first_visit: run.get("browser").and_then(first_visit),
    })
}

/// The `browser` rows in words: a first visit's bytes and server CPU.
fn first_visit(browser: &Value) -> Option<String> {
    let visit = browser.get("first_visit")?;
    let wasm = browser.get("wasm")?;
    let kb = |v: Option<&Value>| Some(v?.as_u64()?.div_ceil(1000));
    let date: String = browser
        .pointer("/host/date")?
        .as_str()?
        .chars()
        .take(10)
        .collect();
    Some(format!(
        "Whichever the mode, a first visit (the page, its script, stylesheet and WebAssembly \
         bundle) sends {} KB and costs the server {:.1} ms of CPU; the bundle is {} KB as \
         brotli sends it, {} KB unpacked (scripts/bench.sh, {date}).",
        kb(visit.get("bytes_sent"))?,
        visit.get("cpu_ms_per_visit")?.as_f64()?,
        kb(wasm.get("br_bytes"))?,
        kb(wasm.get("raw_bytes"))?,
    ))
}

/// `n` with thin spaces between groups of three digits: `1 000 000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(d);
    }
    out
}

/// The cases of a section (`[{"case" or "label": …, …}]`), each put in
/// words.
fn cases(section: Option<&Value>, words: impl Fn(&Value) -> Option<String>) -> Vec<CaseFigure> {
    let Some(list) = section.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|c| {
            let name = c.get("case").or_else(|| c.get("label"))?.as_str()?;
            Some(CaseFigure {
                case: name.to_string(),
                text: words(c)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1_000), "1\u{202f}000");
        assert_eq!(grouped(1_000_000), "1\u{202f}000\u{202f}000");
    }

    #[test]
    fn the_bundled_run_names_its_date_machine_and_every_figure() {
        let m = bundled().expect("docs/performance.json reads");
        assert!(!m.date.is_empty() && m.machine.contains("cores"));
        for key in ["session-memory", "session-sqlite", "jwt-hs256", "jwt-eddsa"] {
            assert!(m.configs.iter().any(|c| c.key == key), "{key}");
        }
        assert!(m.revocation_lag.len() >= 2, "{:?}", m.revocation_lag);
        assert!(m.load_balancer.len() >= 2, "{:?}", m.load_balancer);
        assert!(m.memory_per_session.is_some() && m.refresh_rotation.is_some());
        let visit = m.first_visit.expect("the browser rows");
        assert!(visit.contains(" KB and costs the server "), "{visit}");
    }
}
