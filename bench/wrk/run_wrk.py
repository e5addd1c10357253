#!/usr/bin/env python3
"""Runs wrk pinned to one core and prints one JSON object: its requests/s, p50/p99 latency,
errors, and wrk's own CPU (user + system) per request and in % of its core, so the table shows
whether the load generator was the bottleneck.
Usage: run_wrk.py CPU CONNECTIONS SECONDS SCRIPT URL"""
import json
import re
import os
import subprocess
import sys
import time

cpu, conns, secs, script, url = sys.argv[1:6]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """utime + stime of a live process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


proc = subprocess.Popen(["taskset", "-c", cpu, "wrk", "-t1", "-c" + conns, "-d" + secs + "s", "--latency",
                         "-s", script, url], stdout=subprocess.PIPE, text=True)
# wrk's CPU is sampled inside its run, after it has read the pre-signed bodies (< 1 s) and before
# it stops, so the start-up does not count.
t0 = time.monotonic()
time.sleep(1.0)
a = (time.monotonic(), cpu_of(proc.pid))
time.sleep(max(0.2, float(secs) - 1.5))
b = (time.monotonic(), cpu_of(proc.pid))
out = proc.communicate()[0]
busy = (b[1] - a[1]) / (b[0] - a[0])


def ms(text):
    """A wrk duration (`137.00us`, `1.20ms`, `2.00s`) in ms; None when wrk printed none."""
    m = re.match(r"([\d.]+)(us|ms|s)$", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else None


def find(pattern, default="0"):
    m = re.search(pattern, out, re.M)
    return m.group(1) if m else default


total = int(find(r"(\d+) requests in"))
rps = float(find(r"Requests/sec:\s+([\d.]+)"))
sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", find(r"Socket errors: (.*)", "")))
print(json.dumps({
    "rps": rps,
    "requests": total,
    "p50_ms": ms(find(r"^\s+50%\s+(\S+)", "")),
    "p99_ms": ms(find(r"^\s+99%\s+(\S+)", "")),
    "non2xx": int(find(r"Non-2xx or 3xx responses: (\d+)")),
    "sock_err": sock,
    "wrk_cpu_us_per_req": busy * 1e6 / rps if rps else 0,
    "wrk_cpu_pct": 100 * busy,
    "raw": out,
}))
