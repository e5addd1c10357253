#!/usr/bin/env python3
"""Renders a results-*.jsonl file of bench/run.sh as the Markdown tables of bench/README.md:
loads × targets (medians of the runs), startup, the floor, the wrk cross-check, and the issue's
targets checked for idocr-mock. Usage: report.py RESULTS.jsonl"""
import json
import statistics
import sys

LOADS = ["small", "small-c64", "1mb", "3mb", "3mb-x64", "flow"]
LOAD_NAMES = {
    "small": "small signed call",
    "small-c64": "small signed call, 64 connections",
    "1mb": "~1 MB image",
    "3mb": "~3 MB image",
    "3mb-x64": "3 MB image, 64 connections",
    "flow": "token → ticket → OCR (flows/s)",
}
MOCKS = ["idocr-mock", "idocr-mock-lean"]
PEERS = ["wiremock", "mountebank", "prism", "fastapi"]
# The bare hyper server: not a peer, the HTTP work every target does at the least.
HTTP_FLOOR = "http-floor"
TARGETS = MOCKS + [HTTP_FLOOR] + PEERS
VERIFIES_SIGN = {"mountebank", "fastapi"}
MIB = 1024.0


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    machine = next((r["machine"] for r in rows if "machine" in r), {})
    floor = next((r["floor"] for r in rows if "floor" in r), None)
    runs, startup, wrk, skipped = {}, {}, {}, {}
    for r in rows:
        key = (r.get("target"), r.get("load"))
        res = r.get("result", {})
        if "skipped" in r or "skipped" in res:
            skipped[key] = r.get("skipped") or res.get("skipped")
        if key in skipped:
            continue
        if r.get("load") == "startup":
            startup[r["target"]] = res
        elif r.get("load") == "small-wrk":
            wrk[r["target"]] = r
        elif "result" in r:
            runs.setdefault(key, []).append(r)
    return machine, floor, runs, startup, wrk, skipped


TARGET_CORE = [1]


def summary(rs):
    res = [r["result"] for r in rs]
    others = [max(0.0, x["cores_busy_pct"][TARGET_CORE[0]] - x["target_cpu_pct"]) for x in res
              if len(x.get("cores_busy_pct", [])) > TARGET_CORE[0]]
    med = lambda k: statistics.median(x[k] for x in res)
    errors = {k: sum(x[k] for x in res) for k in ("non2xx", "wrong_code", "sock_err")}
    problems = [x["first_problem"] for x in res if x.get("first_problem")]
    return {
        "rps": med("rps"), "p50": med("p50_ms"), "p99": med("p99_ms"), "errors": errors,
        "problem": problems[0] if problems else None,
        "idle_mib": rs[0]["idle"]["rss_kb"] / MIB,
        "peak_mib": max(x["target_hwm_kb"] for x in res) / MIB,
        "cpu_us": med("target_cpu_us_per_req"), "target_pct": med("target_cpu_pct"),
        "lg_pct": med("loadgen_cpu_pct"), "lg_us": med("loadgen_cpu_us_per_req"), "runs": len(res),
        "others_pct": statistics.median(others) if others else None,
    }


def fmt_errors(e):
    total = sum(e.values())
    if total == 0:
        return "0"
    parts = ["%d %s" % (v, k.replace("_", " ")) for k, v in e.items() if v]
    return "**%d** (%s)" % (total, ", ".join(parts))


def main_table(runs, skipped, floor, out):
    out.append("| load | target | good answers/s | p50 ms | p99 ms | errors | idle RSS MiB | peak RSS MiB "
               "| target CPU µs/answer | 1 s ÷ CPU/answer | target core busy (+ others on it) "
               "| load generator core busy | vs floor |")
    out.append("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    notes = []
    for l in LOADS:
        for t in TARGETS:
            if (t, l) in skipped:
                out.append("| %s | %s | skipped: %s | | | | | | | | | | |" % (LOAD_NAMES[l], t, skipped[(t, l)]))
                continue
            if (t, l) not in runs:
                continue
            s = summary(runs[(t, l)])
            vs = []
            if floor and l in ("3mb", "3mb-x64"):
                vs.append("%.0f%% / %.0f%% (simd)" % (100 * s["rps"] / floor["rps_per_core_obvious"],
                                                      100 * s["rps"] / floor["rps_per_core_simd"]))
            if t != HTTP_FLOOR and (HTTP_FLOOR, l) in runs and s["cpu_us"]:
                vs.append("%.0f%% (HTTP)" % (100 * summary(runs[(HTTP_FLOOR, l)])["cpu_us"] / s["cpu_us"]))
            vs = ", ".join(vs)
            if s["problem"]:
                notes.append("- %s, %s: first problem: `%s`" % (LOAD_NAMES[l], t, s["problem"][:240].replace("\n", " ")))
            others = "" if s["others_pct"] is None else " (+%.0f%%)" % s["others_pct"]
            ceiling = "{:,.0f}".format(1e6 / s["cpu_us"]) if s["cpu_us"] else ""
            out.append("| %s | %s | %s | %.2f | %.2f | %s | %.1f | %.1f | %.0f | %s | %.0f%%%s | %.0f%% | %s |" % (
                LOAD_NAMES[l], t, "{:,.0f}".format(s["rps"]), s["p50"], s["p99"], fmt_errors(s["errors"]),
                s["idle_mib"], s["peak_mib"], s["cpu_us"], ceiling, s["target_pct"], others, s["lg_pct"], vs))
    out.extend([""] + notes if notes else [])


def startup_table(startup, out):
    out.append("| target | process start → first good signed answer, median ms | min–max ms | starts |")
    out.append("|---|---:|---|---:|")
    for t in TARGETS:
        if t in startup:
            s = startup[t]
            if s.get("median_ms") is None:
                out.append("| %s | failed: %s | | |" % (t, s.get("error")))
                continue
            out.append("| %s | %.1f | %.1f–%.1f | %d |" % (t, s["median_ms"], s["min_ms"], s["max_ms"], len(s["startup_ms"])))


def floor_table(f, out):
    out.append("| step (one ~3 MB request, one core, tight loop) | CPU µs |")
    out.append("|---|---:|")
    for k, name in [("socket_read_us", "read the %d-byte body from a loopback socket" % f["body_bytes"]),
                    ("base64_decode_us", "decode %d bytes of Base64, `base64` crate" % f["base64_bytes"]),
                    ("base64_simd_decode_us", "the same with `base64-simd`"),
                    ("json_parse_us", "parse the JSON body with serde_json (borrowed strings)"),
                    ("sha1_us", "SHA-1 of the signed string")]:
        out.append("| %s | %.1f |" % (name, f[k]))
    out.append("| **floor, obvious crates** (read + base64 + serde_json + SHA-1) | %.0f µs = **%.0f req/s per core** |"
               % (f["total_obvious_us"], f["rps_per_core_obvious"]))
    out.append("| **floor, SIMD Base64** | %.0f µs = **%.0f req/s per core** |"
               % (f["total_simd_us"], f["rps_per_core_simd"]))


def wrk_table(wrk, runs, out):
    out.append("| target | wrk req/s | p50 ms | p99 ms | non-2xx + socket errors | wrk core busy | wrk CPU µs/req "
               "| target CPU µs/req | loadgen good answers/s (same load) | loadgen core busy |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in TARGETS:
        if t not in wrk:
            continue
        w = wrk[t]["result"]
        if "rps" not in w:
            out.append("| %s | failed: %s | | | | | | | | |" % (t, w.get("error", "no result")))
            continue
        lg = summary(runs[(t, "small")]) if (t, "small") in runs else None
        target_us = (wrk[t]["after"]["cpu_us"] - wrk[t]["before"]["cpu_us"]) / max(1, w["requests"])
        ms = lambda v: "" if v is None else "%.2f" % v
        out.append("| %s | %s | %s | %s | %d | %.0f%% | %.1f | %.1f | %s | %s |" % (
            t, "{:,.0f}".format(w["rps"]), ms(w["p50_ms"]), ms(w["p99_ms"]), w["non2xx"] + w["sock_err"], w["wrk_cpu_pct"],
            w["wrk_cpu_us_per_req"], target_us, "{:,.0f}".format(lg["rps"]) if lg else "", "%.0f%%" % lg["lg_pct"] if lg else ""))


def verdicts(runs, startup, floor, out):
    get = lambda t, l: summary(runs[(t, l)]) if (t, l) in runs else None
    rows = []
    for name in MOCKS:
        mock = {l: get(name, l) for l in LOADS}
        if any(mock.values()) or name in startup:
            mock_verdicts(name, mock, {l: get("fastapi", l) for l in LOADS}, startup, floor, rows)
    if rows:
        out.append("Ratios are per request by CPU (the peer's CPU µs per answer over the mock's); "
                   "\"of the floor\" is the floor's CPU µs (SIMD Base64) over the mock's.")
        out.append("")
        out.append("| target (issue 19) | configuration | measured | |")
        out.append("|---|---|---|---|")
        out.extend(rows)


def mock_verdicts(name, mock, fastapi, startup, floor, rows):
    def check(what, measured, ok):
        rows.append("| %s | %s | %s | %s |" % (what, name, measured, "met" if ok else "**missed**"))

    default = name == "idocr-mock"
    if mock["small"]:
        s = mock["small"]
        if default and fastapi["small"] and s["cpu_us"]:
            r = fastapi["small"]["cpu_us"] / s["cpu_us"]
            check("small ≥ 20× FastAPI per request by CPU", "%.1f× (%.1f µs vs %.0f µs)" % (
                r, s["cpu_us"], fastapi["small"]["cpu_us"]), r >= 20)
        check("small ≥ 44,000 good answers/s on one core", "{:,.0f}/s".format(s["rps"]), s["rps"] >= 44000)
        check("small p99 < 2 ms at 16 connections", "%.2f ms" % s["p99"], s["p99"] < 2)
        check("idle RSS < 10 MB", "%.1f MiB" % s["idle_mib"], s["idle_mib"] * MIB * 1024 < 10e6)
    if mock["3mb"]:
        s = mock["3mb"]
        if default and fastapi["3mb"] and s["cpu_us"]:
            r = fastapi["3mb"]["cpu_us"] / s["cpu_us"]
            check("~3 MB ≥ 10× FastAPI per request by CPU", "%.1f× (%.0f µs vs %.0f µs)" % (
                r, s["cpu_us"], fastapi["3mb"]["cpu_us"]), r >= 10)
        if floor and s["cpu_us"]:
            goal = 0.70 if default else 0.85
            f = floor["total_simd_us"] / s["cpu_us"]
            check("~3 MB ≥ %.0f%% of the floor" % (100 * goal), "%.0f%% (%.0f µs vs the floor's %.0f µs)" % (
                100 * f, s["cpu_us"], floor["total_simd_us"]), f >= goal)
    if mock["3mb-x64"] and floor:
        s = mock["3mb-x64"]
        limit = (64 * floor["body_bytes"] + 64 * 1024 * 1024) / (1024 * 1024)
        what = "peak RSS, 64 × 3 MB in flight ≤ in-flight + 64 MiB"
        if default:
            # The order store is on: its byte budget (--max-order-bytes, 256 MiB) comes on top.
            limit += 256
            what += " + the order store's 256 MiB budget"
        check("%s (%.0f MiB)" % (what, limit), "%.0f MiB" % s["peak_mib"], s["peak_mib"] <= limit)
    if name in startup and startup[name].get("median_ms") is not None:
        m = startup[name]["median_ms"]
        check("first good answer < 50 ms after start", "%.1f ms" % m, m < 50)


def main():
    machine, floor, runs, startup, wrk, skipped = load(sys.argv[1])
    TARGET_CORE[0] = machine.get("target_cpu", 1)
    out = []
    if machine:
        out.append("Measured %s at commit `%s`: %s runs of %s s per load (median), %s connections, after a warm-up; "
                   "load average at start %s. Machine: %s cores (%s), %s memory, kernel %s." % (
                       machine["date"], machine["commit"], machine["runs"], machine["seconds"],
                       machine["connections"], machine["load_avg"], machine["nproc"], machine["model"],
                       machine["mem"], machine["kernel"]))
        out.append("")
    main_table(runs, skipped, floor, out)
    for title, render, data in [("Startup", startup_table, startup), ("The floor", floor_table, floor),
                                ("Cross-check with wrk (small signed call)", wrk_table, wrk)]:
        if data:
            out.extend(["", "**%s**" % title, ""])
            if render is wrk_table:
                render(data, runs, out)
            else:
                render(data, out)
    out.extend(["", "**Targets of issue 19**", ""])
    verdicts(runs, startup, floor, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
