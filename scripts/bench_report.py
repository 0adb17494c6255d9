"""The tables scripts/bench.py prints and writes to target/bench/results.md."""

from bench_browser import browser_table
from bench_build import describe
from bench_hammer import hammer_table
from bench_http import fmt
from bench_instructions import instructions_table
from bench_methods import methods_table
from bench_dpop import dpop_table
from bench_scale import revocation_table, load_balancer_table


def table(results):
    lines = []
    if results["configs"]:
        lines += config_table(results) + [""]
    if results.get("page_instructions"):
        lines += instructions_table(results["page_instructions"]) + [""]
    if results.get("revocation_lag"):
        lines += revocation_table(results["revocation_lag"]) + [""]
    if results.get("load_balancer"):
        lines += load_balancer_table(results["load_balancer"]) + [""]
    if results.get("hammer"):
        lines += hammer_table(results["hammer"]) + [""]
    if results.get("sign_in_methods"):
        lines += methods_table(results["sign_in_methods"]) + [""]
    if results.get("dpop"):
        lines += dpop_table(results["dpop"]) + [""]
    if results.get("browser"):
        lines += browser_table(results["browser"]) + [""]
    h = results["host"]
    lines += [f"{h['date']} · {h['nproc']} cores · {h['cpu']} · Linux {h['kernel']} · "
              f"load average {h['loadavg_at_start']:.2f} → {h['loadavg_at_end']:.2f}"]
    if results["configs"]:
        lines[-1] += (f" · {results['settings']['connections']} connections, "
                      f"{results['settings']['page_seconds']} s per page run, "
                      f"{results['settings']['pair_seconds']} s per `/healthz` run"
                      + (" · server on core 0, wrk on core 1"
                         if results["settings"]["pinned"] else ""))
    if results.get("build"):
        lines.append(describe(results["build"]))
    return "\n".join(lines)


def config_table(results):
    configs = results["configs"]
    base = configs[0]["runs"]["public"]
    lines = [
        "| configuration | page | req/s | p50 ms | p99 ms | server CPU µs/req "
        "| without `Accept-Encoding` | × `/` "
        "| auth CPU µs/req | auth store ops/req (app) | auth / page queries/req (store) "
        "| auth cookie bytes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| baseline | public `/`, anonymous | {base['rps']:.0f} | {fmt(base['p50_ms'], '.2f')} "
        f"| {fmt(base['p99_ms'], '.2f')} | {base['cpu_us_per_req']:.1f} "
        f"| {fmt(identity(configs[0], '/'), '.1f')} | 1.00 | | | | 0 |",
    ]
    for c in configs:
        runs = c["runs"]
        plain, signed, r = runs["plain"], runs["plain_signed_in"], runs["protected"]
        lines.append(
            f"| {c['label']} | `/account` | {r['rps']:.0f} | {fmt(r['p50_ms'], '.2f')} "
            f"| {fmt(r['p99_ms'], '.2f')} | {r['cpu_us_per_req']:.1f} "
            f"| {fmt(identity(c, '/account'), '.1f')} "
            f"| {c['page_ratio']:.2f} "
            f"| {c['auth_cpu_us_per_req']:+.1f} "
            f"| {fmt(signed.get('app_store_operations_per_req'), '.2f')} "
            f"| {fmt(signed.get('store_queries_per_req'), '.2f')} / "
            f"{fmt(r.get('store_queries_per_req'), '.2f')} | {c['cookie_header_bytes']} |")
    plain = [c["runs"]["plain"]["cpu_us_per_req"] for c in configs]
    public = [c["runs"]["public"]["cpu_us_per_req"] for c in configs]
    lines += ["", "Pages are asked for as a browser asks, with `Accept-Encoding: gzip, deflate, "
              "br, zstd`; the column beside gives the same page without it (median of three runs).",
              "", f"× `/` = server CPU of `/account` signed in over `/` anonymous on the same "
              f"server, median of {results['settings']['page_rounds']} alternating pairs, "
              f"every other one measuring `/account` first "
              f"(the baseline row is the first configuration's; `/` measured "
              f"{min(public):.1f}–{max(public):.1f} µs across the configurations).",
              "", f"auth CPU = server CPU per request of `/healthz` sent with the auth cookies "
              f"minus the same without them, median of {results['settings']['rounds']} "
              f"alternating pairs (anonymous `/healthz`: "
              f"{min(plain):.1f}–{max(plain):.1f} µs across the configurations)."]
    storms = [(c, s) for c in configs for s in c.get("storms", [])]
    if storms:
        lines += ["", "| login storm | `/account` p99 ms without | p99 ms with | × | req/s "
                  "| sign-ins/s |", "|---|---:|---:|---:|---:|---:|"]
        for c, s in storms:
            quiet = c["runs"]["protected"]["p99_ms"]
            lines.append(
                f"| {c['label']}, {s['concurrent_sign_ins']} clients signing in | {quiet:.2f} "
                f"| {s['p99_ms']:.2f} | {s['p99_ms'] / quiet:.1f} | {s['rps']:.0f} "
                f"| {s['sign_ins_per_s']:.0f} |")
    return lines



def identity(config, path):
    """A page's server CPU per request without `Accept-Encoding` (results
    older than that figure have none)."""
    return config.get("identity_cpu_us_per_req", {}).get(path)
