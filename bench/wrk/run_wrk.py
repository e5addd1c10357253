#!/usr/bin/env python3
"""Runs wrk pinned to one core and prints one JSON object: its requests/s, p50/p99 latency,
errors, and wrk's own CPU (user + system) per request and in % of its core, so the table shows
whether the load generator was the bottleneck.
Usage: run_wrk.py CPU CONNECTIONS SECONDS SCRIPT URL"""
import json
import re
import resource
import subprocess
import sys
import time

cpu, conns, secs, script, url = sys.argv[1:6]
t0 = time.monotonic()
out = subprocess.run(["taskset", "-c", cpu, "wrk", "-t1", "-c" + conns, "-d" + secs + "s", "--latency",
                      "-s", script, url], capture_output=True, text=True).stdout
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu_s = ru.ru_utime + ru.ru_stime


def ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def find(pattern, default="0"):
    m = re.search(pattern, out)
    return m.group(1) if m else default


total = int(find(r"(\d+) requests in"))
sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", find(r"Socket errors: (.*)", "")))
print(json.dumps({
    "rps": float(find(r"Requests/sec:\s+([\d.]+)")),
    "requests": total,
    "p50_ms": ms(find(r"50%\s+(\S+)", "0us")),
    "p99_ms": ms(find(r"99%\s+(\S+)", "0us")),
    "non2xx": int(find(r"Non-2xx or 3xx responses: (\d+)")),
    "sock_err": sock,
    # Includes the ~0.5 s of reading the pre-signed bodies at start-up, so this slightly overstates.
    "wrk_cpu_us_per_req": cpu_s * 1e6 / total if total else 0,
    "wrk_cpu_pct": 100 * cpu_s / wall,
    "raw": out,
}))
