"""The scale-out load's figures from what was recorded, and its tables
(markdown)."""

from collections import Counter

from bench_cluster_client import CLASSES, status_class
from bench_cluster_load import EXPECTED, KINDS
from bench_http import fmt, percentile

KIND_NAMES = {
    "sign_in": "sign-in (form)", "page": "page (/account, /account/devices)",
    "token": "sign-in (password grant)", "api": "API (/api/me)",
    "refresh": "refresh (refresh_token grant)", "devices": "device list (/api/devices)",
    "revoke": "device revocation (DELETE /api/devices/{id})", "sign_out": "sign-out",
    "all": "**all**",
}


def lag_figures(entries):
    """p50/p99/max of the lags in `entries` (one per instance per
    revocation), how many refused at the first check, and the failures."""
    lags = [x["lag_ms"] for x in entries if "lag_ms" in x]
    errors = Counter(x["error"] for x in entries if "error" in x)
    return {
        "checks": len(entries), "n": len(lags),
        "p50_ms": percentile(lags, 50), "p99_ms": percentile(lags, 99),
        "max_ms": max(lags) if lags else None,
        "refused_at_first_check": sum(1 for x in entries if x.get("checks") == 1),
        "failures": sum(errors.values()), "failure_reasons": dict(errors.most_common(10)),
    }


def summarize(recorder, start, elapsed, ports):
    """Throughput, per kind count/p50/p99 and status classes, the errors,
    and the revocation lag across instances (`ports`: instance-1, 2, …)."""
    records = list(recorder.records)
    kinds = {}
    for kind in KINDS + ["all"]:
        rows = [r for r in records if kind == "all" or r[0] == kind]
        if not rows:
            continue
        answered = [(r[2] - r[1]) * 1000 for r in rows if r[3] is not None]
        classes = Counter(status_class(r[3]) for r in rows)
        kinds[kind] = {
            "count": len(rows),
            "p50_ms": percentile(answered, 50), "p99_ms": percentile(answered, 99),
            "classes": {c: classes.get(c, 0) for c in CLASSES},
            "unexpected": sum(1 for r in rows if r[3] not in EXPECTED[r[0]]),
        }
    unexpected = Counter(
        (r[0], r[3] if r[3] is not None else "no answer", (r[4] or "")[:120])
        for r in records if r[3] not in EXPECTED[r[0]])
    names = {port: f"instance-{i + 1}" for i, port in enumerate(ports)}
    lag = lag_figures(recorder.lags)
    lag["probe_requests"] = len(recorder.probes)
    lag["probe_classes"] = dict(Counter(status_class(p[2]) for p in recorder.probes))
    lag["probe_start_p99_ms"] = percentile(recorder.probe_delays, 99)
    lag["probe_start_max_ms"] = max(recorder.probe_delays, default=None)
    lag["by_instance"] = {name: lag_figures([x for x in recorder.lags if x["instance"] == port])
                          for port, name in names.items()}
    return {
        "requests": len(records),
        "elapsed_s": round(elapsed, 2),
        "rps": len(records) / elapsed if elapsed else None,
        "iterations": recorder.iterations,
        "late_workers": recorder.late_workers,
        "kinds": kinds,
        "unexpected": [{"kind": k, "status": s, "body": b, "count": n}
                       for (k, s, b), n in unexpected.most_common(20)],
        "lag": lag,
    }


def failover(recorder, start, killed_at, ports):
    """What clients saw around the kill: the first and last answer that was
    neither 2xx, 3xx nor 401 (times from the kill), their count by status
    and by kind, the first success after the last of them; per second from
    2 s before the kill, answers that succeeded and that failed and direct
    probes made; the revocation lag of revocations answered before and after
    the kill, after it per instance."""
    def failed(r):
        return status_class(r[3]) not in ("2xx", "3xx", "401")

    kill = start + killed_at
    records = sorted(recorder.records, key=lambda r: r[2])
    before = [r for r in records if r[2] < kill and failed(r)]
    after = [r for r in records if r[2] >= kill]
    failures = [r for r in after if failed(r)]
    out = {"killed_at_s": round(killed_at, 2), "failures_before_kill": len(before),
           "failures": len(failures)}
    if failures:
        last = failures[-1][2]
        back = next((r for r in after if r[2] > last and not failed(r)), None)
        out.update({
            "first_failure_s": round(failures[0][2] - kill, 3),
            "last_failure_s": round(last - kill, 3),
            "first_success_after_s": round(back[2] - kill, 3) if back else None,
            "by_status": dict(Counter(str(r[3]) if r[3] else "no answer"
                                      for r in failures).most_common()),
            "by_kind": dict(Counter(r[0] for r in failures).most_common()),
            "slowest_failure_ms": round(max((r[2] - r[1]) * 1000 for r in failures), 1),
        })
    timeline = []
    for second in range(-2, int(records[-1][2] - kill) + 1 if records else 0):
        window = [r for r in records if kill + second <= r[2] < kill + second + 1]
        timeline.append({"second": second, "ok": sum(not failed(r) for r in window),
                         "failed": sum(failed(r) for r in window),
                         "probes": sum(kill + second <= p[1] < kill + second + 1
                                       for p in recorder.probes)})
    out["timeline"] = timeline
    out["lag_before"] = lag_figures([x for x in recorder.lags if x["at"] < kill])
    after_kill = [x for x in recorder.lags if x["at"] >= kill]
    out["lag_after"] = lag_figures(after_kill)
    out["lag_after"]["by_instance"] = {
        f"instance-{i + 1}": lag_figures([x for x in after_kill if x["instance"] == port])
        for i, port in enumerate(ports)}
    return out


def summary_table(runs):
    lines = ["| run | instances | Redis | seconds | requests | req/s | API p50 / p99 ms "
             "| sign-in p99 ms | other | unexpected | revocation lag p50 / p99 ms |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        if "error" in r:
            lines.append(f"| {r['label']} | {r['instances']} | {r['redis']} | — | — | — | — "
                         f"| — | — | — | failed: {r['error']} |")
            continue
        s = r["summary"]
        api = s["kinds"].get("api", {})
        sign_in = s["kinds"].get("sign_in", {})
        total = s["kinds"].get("all", {"classes": {"other": 0}, "unexpected": 0})
        lines.append(
            f"| {r['label']} | {r['instances']} | {r['redis']} | {s['elapsed_s']:.1f} "
            f"| {s['requests']} | {fmt(s['rps'], '.0f')} "
            f"| {fmt(api.get('p50_ms'), '.1f')} / {fmt(api.get('p99_ms'), '.1f')} "
            f"| {fmt(sign_in.get('p99_ms'), '.1f')} | {total['classes']['other']} "
            f"| {total['unexpected']} "
            f"| {fmt(s['lag']['p50_ms'], '.1f')} / {fmt(s['lag']['p99_ms'], '.1f')} |")
    return lines


def run_section(r):
    lines = [f"### {r['title']}", ""]
    if "error" in r:
        return lines + [f"The run failed: {r['error']}", ""]
    s, st = r["summary"], r["settings"]
    lines += [
        f"{'JWT' if st['mode'] == 'jwt' else 'Session'} mode; {r['instances']} "
        f"instance{'s' if r['instances'] > 1 else ''} behind HAProxy ({r['balancer']}); "
        f"{r['redis_detail']}; PostgreSQL (a database of its own). {st['users']} users signed "
        f"up beforehand, {st['workers']} workers, {st['seconds']} s (cap {st['max_requests']} "
        f"requests), timeout {st['timeout']} s per request. {s['iterations']} iterations, "
        f"{s['requests']} requests in {s['elapsed_s']:.1f} s: **{fmt(s['rps'], '.0f')} req/s**.",
        "",
        "| kind | count | p50 ms | p99 ms | " + " | ".join(CLASSES) + " | unexpected |",
        "|---|---:|---:|---:|" + "---:|" * len(CLASSES) + "---:|",
    ]
    for kind in KINDS + ["all"]:
        k = s["kinds"].get(kind)
        if not k:
            continue
        lines.append(f"| {KIND_NAMES[kind]} | {k['count']} | {fmt(k['p50_ms'], '.1f')} "
                     f"| {fmt(k['p99_ms'], '.1f')} | "
                     + " | ".join(str(k["classes"][c]) for c in CLASSES)
                     + f" | {k['unexpected']} |")
    lag = s["lag"]
    rows = [("all instances", lag)] + (sorted(lag["by_instance"].items())
                                       if len(lag["by_instance"]) > 1 else [])
    lines += ["", "Revocation lag (each instance asked directly after each revocation):", ""]
    lines += lag_table(rows)
    lines += ["", f"{lag['probe_requests']} direct probes, from a pool of their own beside the "
              f"users (not counted in the request table); the first went out p99 "
              f"{fmt(lag['probe_start_p99_ms'], '.1f')} ms (max "
              f"{fmt(lag['probe_start_max_ms'], '.1f')} ms) after the revoking answer."]
    share = r.get("haproxy")
    if share:
        total = sum(v["requests"] for v in share.values()) or 1
        lines += ["", "Requests per instance (HAProxy): " + ", ".join(
            f"{name} {v['requests']} ({100 * v['requests'] / total:.0f} %)"
            for name, v in sorted(share.items())) + "."]
    cpu = r.get("cpu_s")
    if cpu:
        lines += ["", "CPU seconds during the run: " + ", ".join(
            f"{k} {fmt(v, '.1f')}" for k, v in cpu.items()) + "."]
    if s["unexpected"]:
        lines += ["", "Unexpected answers (kind, status, body):", ""]
        lines += [f"- {u['count']} × {u['kind']} {u['status']} {u['body']!r}"
                  for u in s["unexpected"]]
    if s.get("late_workers"):
        lines += ["", f"{s['late_workers']} worker(s) still busy at the run's cap."]
    if "failover" in r:
        lines += [""] + failover_lines(r["failover"])
    return lines + [""]


def lag_table(rows):
    lines = ["| revocation lag | checked | p50 ms | p99 ms | max ms | refused at first check "
             "| never refused |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, g in rows:
        reasons = "; ".join(f"{n} × {e}" for e, n in g["failure_reasons"].items())
        lines.append(f"| {name} | {g['checks']} | {fmt(g['p50_ms'], '.1f')} "
                     f"| {fmt(g['p99_ms'], '.1f')} | {fmt(g['max_ms'], '.1f')} "
                     f"| {g['refused_at_first_check']} | {g['failures']}"
                     + (f" ({reasons})" if reasons else "") + " |")
    return lines


def failover_lines(f):
    v = f.get("victim", {})
    w = f.get("cluster", {})
    lines = [
        f"Killed (SIGKILL) at {f['killed_at_s']} s: the master {v.get('url')} (pid "
        f"{v.get('pid')}, slots {' '.join(v.get('slots', []))}, {v.get('keys')} of the run's "
        f"keys, the most of any master). The cluster, asked every 100 ms: node flagged failed "
        f"at +{fmt(w.get('flagged_fail_s'), '.2f')} s, replica {w.get('promoted', '—')} "
        f"holding its slots at +{fmt(w.get('promoted_s'), '.2f')} s, cluster_state:ok at "
        f"+{fmt(w.get('cluster_ok_s'), '.2f')} s.",
        "",
    ]
    if not f["failures"]:
        lines.append(f"Clients saw no answer other than 2xx, 3xx or 401 after the kill "
                     f"({f['failures_before_kill']} before it).")
    else:
        lines.append(
            f"Clients' failover window (answers neither 2xx, 3xx nor 401, times from the "
            f"kill): first at +{f['first_failure_s']:.2f} s, last at +{f['last_failure_s']:.2f} "
            f"s, first success after that at +{fmt(f['first_success_after_s'], '.2f')} s; "
            f"{f['failures']} failed answers (" + ", ".join(
                f"{s}: {n}" for s, n in f["by_status"].items()) + "; by kind " + ", ".join(
                f"{k}: {n}" for k, n in f["by_kind"].items()) + f"), the slowest "
            f"{f['slowest_failure_ms']:.0f} ms; {f['failures_before_kill']} before the kill.")
    t = f["timeline"]
    lines += [
        "",
        "| second from the kill | " + " | ".join(str(x["second"]) for x in t) + " |",
        "|---|" + "---:|" * len(t),
        "| succeeded | " + " | ".join(str(x["ok"]) for x in t) + " |",
        "| failed | " + " | ".join(str(x["failed"]) for x in t) + " |",
        "| direct probes (revocation lag) | " + " | ".join(str(x["probes"]) for x in t) + " |",
        "",
        "Revocations answered before and after the kill:",
        "",
    ]
    lines += lag_table([("before the kill", f["lag_before"]), ("after the kill", f["lag_after"])]
                       + [(f"after, {k}", g)
                          for k, g in sorted(f["lag_after"]["by_instance"].items())])
    return lines


def report(results):
    h = results["host"]
    lines = [
        "## Scale-out load: instances behind HAProxy over Redis and PostgreSQL", "",
        f"{h['date']}, {h['nproc']} cores ({h['cpu']}), load average {h['loadavg_at_start']:.1f} "
        f"at start; binary {results['binary']}. Everything on 127.0.0.1: the instances, "
        f"HAProxy, PostgreSQL, Redis and the client (Python threads), on the same cores.", "",
    ]
    lines += summary_table(results["runs"])
    lines += ["", "other = no answer (refused, reset, timed out) or a status outside 2xx, 3xx, "
              "401, 429, 503; unexpected = any status the request kind does not answer when "
              "all is well (for example a 503, or a 401 to a valid token). Revocation lag: from "
              "the answer to the revoking request to each instance's first 401 for the revoked "
              "credentials, every instance asked directly.", ""]
    for r in results["runs"]:
        lines += run_section(r)
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"
