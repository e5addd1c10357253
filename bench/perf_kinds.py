#!/usr/bin/env python3
"""Groups a flat `perf report --sort dso,symbol --stdio` listing (stdin) into kinds of work, so a
profile says at a glance where the time goes: kernel (sockets, scheduling), allocator, copies,
JSON, Base64, hashing, byte scans, HTTP (hyper), runtime (tokio), formatting (fmt, chrono), the mock's own code."""
import re
import sys

KINDS = [
    ("kernel: sockets, syscalls, scheduling", lambda dso, sym: dso.startswith("[kernel")),
    ("allocator (malloc/free/realloc)", lambda dso, sym: re.search(r"malloc|free|realloc|_int_|tcache|arena|consolidate|sysmalloc", sym)),
    ("memcpy/memmove/memset", lambda dso, sym: re.search(r"mem(cpy|move|set)|memcmp", sym)),
    ("Base64 decoding", lambda dso, sym: "base64" in sym),
    ("JSON (serde_json)", lambda dso, sym: "serde_json" in sym or "serde_core" in sym or "serde::" in sym),
    ("SHA-1", lambda dso, sym: "sha1" in sym.lower()),
    ("SHA-256 (the journal's image digest)", lambda dso, sym: "sha2" in sym or "sha256" in sym.lower()),
    ("byte scans (memchr, UTF-8 validation)", lambda dso, sym: "memchr" in sym or "from_utf8" in sym),
    ("HTTP (hyper, http, httparse)", lambda dso, sym: re.search(r"hyper|httparse|\bhttp::|http_body", sym)),
    ("runtime (tokio, futures)", lambda dso, sym: re.search(r"tokio|futures|mio::", sym)),
    ("formatting (core::fmt, chrono)", lambda dso, sym: re.search(r"fmt|chrono|format", sym)),
    ("logging (tracing)", lambda dso, sym: "tracing" in sym),
    ("the mock's own code (idocr_mock::)", lambda dso, sym: "idocr_mock" in sym),
    ("other libc", lambda dso, sym: dso.startswith("libc")),
]

totals = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)", line)
    if not m:
        continue
    pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
    kind = next((name for name, test in KINDS if test(dso, sym)), "other")
    totals[kind] = totals.get(kind, 0.0) + pct
for kind, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
    print("%6.1f%%  %s" % (pct, kind))
