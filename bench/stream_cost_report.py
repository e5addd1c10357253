"""Summarises bench/stream-cost.sh's JSON lines (stdin): per call, without and with the stream."""
import json
import sys

rows = [json.loads(line) for line in sys.stdin if line.strip()]
mode = sys.argv[1] if len(sys.argv) > 1 else "callgrind"


def per(r):
    if mode == "callgrind":
        return r["instructions"] / r["calls"]
    return r["load"]["target_cpu_us_per_req"]


unit = "instructions per call" if mode == "callgrind" else "CPU us per call"
fmt = (lambda x: f"{x:,.0f}") if mode == "callgrind" else (lambda x: f"{x:.1f}")
for s in (0, 1):
    xs = sorted(per(r) for r in rows if r["stream"] == s)
    if xs:
        label = "with" if s else "without"
        print(f"{label} the stream, {unit}: {', '.join(fmt(x) for x in xs)} (median {fmt(xs[len(xs) // 2])})")
for r in rows:
    if r["stream"]:
        print(f"run {r['run']}: {r['calls']} calls measured, {r['streamed']} entries streamed, {r['load']['rps']:.0f} calls/s")
pairs = [(per(a), per(b)) for a in rows if not a["stream"] for b in rows if b["stream"] and b["run"] == a["run"]]
print("cost of the stream per run (with / without - 1): " + ", ".join(f"{b / a - 1:+.1%}" for a, b in pairs))
