#!/usr/bin/env bash
# Soak test of the release binary: minutes of mixed traffic (valid calls, bad signs, transport
# faults, oversized bodies, abrupt disconnects) against `idocr-mock --data-dir`, then `kill -9`
# mid-load, a restart on the same data dir, and a check through getOcrResult that every order
# acknowledged with code "0" is still there with its image byte-identical. RSS is sampled every
# second and must stay under a bound. Only 127.0.0.1; bounded in time and in requests.
#
# Usage: scripts/soak.sh [MINUTES]        (default 3)
# Environment:
#   SOAK_MINUTES         minutes of load (the argument wins)            default 3
#   SOAK_WORKERS         concurrent client threads                      default 16
#   SOAK_MAX_REQUESTS    hard cap on requests sent                      default 400000
#   SOAK_MAX_ORDERS      acknowledged orders to verify (paced over time) default 3000
#   SOAK_RSS_LIMIT_MB    fail when VmRSS exceeds this                   default 256
#   SOAK_MOCK_ARGS       flags for the mock                             default "--max-orders 1000000"
#                        (the default store keeps 10000 orders: a longer run evicts the oldest
#                        acknowledged ones by design, which the check would report as lost)
#   SOAK_NO_DATA_DIR=1   for a build without --data-dir/getOcrResult: no restart check
#   SOAK_DISK_FULL=0     skip the disk-full phase (it mounts a 2 MB tmpfs, so it needs root;
#                        without the permission it is skipped and says so)
#   SOAK_STALLED_ADMIN   stalled /__admin/ bodies held open at once during the load  default 64
#   SOAK_BODY_TIMEOUT    --body-timeout of the mock, seconds (the stalled bodies wait it out) default 2
#   IDOCR_MOCK_BIN       binary to test (default: cargo build --release, target/release/idocr-mock)
# Exit status 0 only when every check passed; the figures are printed either way.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${IDOCR_MOCK_BIN:-}" ]]; then
  cargo build --release --quiet
  IDOCR_MOCK_BIN=target/release/idocr-mock
fi
export IDOCR_MOCK_BIN SOAK_MINUTES="${1:-${SOAK_MINUTES:-3}}"
exec python3 - <<'PY'
import base64, collections, hashlib, http.client, json, os, random, re, shlex, signal, socket
import struct, subprocess, sys, tempfile, threading, time

BIN = os.environ["IDOCR_MOCK_BIN"]
MINUTES = float(os.environ["SOAK_MINUTES"])
WORKERS = int(os.environ.get("SOAK_WORKERS", "16"))
MAX_REQUESTS = int(os.environ.get("SOAK_MAX_REQUESTS", "400000"))
MAX_ORDERS = int(os.environ.get("SOAK_MAX_ORDERS", "3000"))
RSS_LIMIT_MB = float(os.environ.get("SOAK_RSS_LIMIT_MB", "256"))
EXTRA = shlex.split(os.environ.get("SOAK_MOCK_ARGS", "--max-orders 1000000"))
NO_DATA_DIR = os.environ.get("SOAK_NO_DATA_DIR") == "1"
STALLED_ADMIN = int(os.environ.get("SOAK_STALLED_ADMIN", "64"))
BODY_TIMEOUT = int(os.environ.get("SOAK_BODY_TIMEOUT", "2"))
APP, TICKET, MAX_BODY = "TIDAMOCK", "idocr-mock-sign-ticket", 4 * 1024 * 1024
OCR = "/api/paas/idcardocrapp"
FAULTS = ["reset", "empty-reply", "slow", "truncated-json", "http-502"]
# kind -> weight; a slow fault holds a worker ~3 s, so it stays rare.
MIX = {"valid": 40, "bad-sign": 15, "oversized": 4, "disconnect": 8,
       "reset": 5, "empty-reply": 5, "truncated-json": 5, "http-502": 5, "slow": 1}


def sign(*values):
    return hashlib.sha1("".join(sorted(v for v in (*values, TICKET) if v)).encode()).hexdigest().upper()


def nonce():
    return "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(32))


def start_mock(data_dir):
    args = [BIN, "--port", "0", "--seed", "8", "--log-level", "warn", "--max-body", str(MAX_BODY),
            "--body-timeout", str(BODY_TIMEOUT)] + EXTRA
    if not NO_DATA_DIR:
        args += ["--data-dir", data_dir]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(os.path.join(data_dir, "..", "mock.log"), "ab"))
    line = proc.stdout.readline().decode()
    m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not m:
        sys.exit(f"soak: the mock did not start: {line!r} (see mock.log)")
    return proc, int(m.group(1))


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return kb / 1024
    except (OSError, StopIteration):
        return None


class Soak:
    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.lock = threading.Lock()
        self.outcomes = collections.Counter()   # (kind, outcome) -> count
        self.acked = {}                          # order -> {side: image bytes}
        self.sent = 0
        self.killed_at = None                    # set just before kill -9
        self.stop = threading.Event()
        self.rss = []

    # ---- one request of each kind -------------------------------------------------------------
    def body(self, order, side, image, good_sign=True):
        n = nonce()
        s = sign(APP, order, n, "1.0.0") if good_sign else sign(APP, order, n, "1.0.1")
        return json.dumps({"webankAppId": APP, "version": "1.0.0", "nonce": n, "orderNo": order,
                           "cardType": "0" if side == "front" else "1", "sign": s,
                           "idcardStr": base64.b64encode(image).decode()}).encode()

    def post(self, body, headers=None, timeout=15):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request("POST", OCR, body, {"Content-Type": "application/json", **(headers or {})})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def ocr(self, kind, order, side):
        image = b"\x89PNG\r\n\x1a\n" + os.urandom(random.randint(200, 6000))
        headers = {"X-Idocr-Scenario": kind} if kind in FAULTS else {}
        try:
            status, raw = self.post(self.body(order, side, image, kind != "bad-sign"), headers)
        except (ConnectionError, http.client.HTTPException, socket.timeout, OSError) as e:
            return "closed: " + type(e).__name__
        try:
            code = json.loads(raw).get("code")
        except ValueError:
            return f"HTTP {status}, body not JSON"
        if code == "0":
            with self.lock:
                self.acked.setdefault(order, {})[side] = image
        return f"HTTP {status}, code {code}"

    def oversized(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
        try:
            head = f"POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            head += f"Content-Length: {MAX_BODY + 1024 * 1024}\r\n\r\n"
            s.sendall(head.encode())
            try:
                s.sendall(b" " * (256 * 1024))
            except OSError:
                pass
            return "HTTP " + s.recv(64).decode(errors="replace").split(" ")[1]
        except (OSError, IndexError) as e:
            return "closed: " + type(e).__name__
        finally:
            s.close()

    def disconnect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=15)
        how = random.choice(["at once", "mid-headers", "mid-body (RST)"])
        if how == "mid-headers":
            s.sendall(f"POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Le".encode())
        elif how != "at once":
            s.sendall(f"POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{{\"webankAppId\":".encode())
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        return "client left " + how

    # ---- the load -----------------------------------------------------------------------------
    def pick(self, elapsed, total):
        kind = random.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "valid":
            with self.lock:
                if len(self.acked) >= MAX_ORDERS * min(1.0, elapsed / total + 0.02):
                    backless = [o for o, sides in list(self.acked.items())[-50:] if "back" not in sides]
                    if not backless:
                        return "bad-sign", None, "front"
                    order = random.choice(backless)
                    self.acked[order]["back"] = None   # reserved: one back upload per order
                    return "valid", order, "back"
        return kind, None, "front"

    def worker(self, deadline, total, start):
        while self.killed_at is None and time.time() < deadline:
            with self.lock:
                if self.sent >= MAX_REQUESTS:
                    return
                self.sent += 1
                seq = self.sent
            kind, order, side = self.pick(time.time() - start, total)
            order = order or f"soak{os.getpid() % 1000}x{seq}"
            try:
                if kind == "oversized":
                    outcome = self.oversized()
                elif kind == "disconnect":
                    outcome = self.disconnect()
                else:
                    outcome = self.ocr(kind, order, side)
            except OSError as e:
                outcome = "cannot connect: " + type(e).__name__
            after_kill = self.killed_at is not None
            with self.lock:
                self.outcomes[(kind, "in flight at kill -9" if after_kill else outcome)] += 1

    def sample_rss(self):
        while not self.stop.is_set() and self.killed_at is None:
            r = rss_mb(self.pid)
            if r is not None:
                self.rss.append(r)
            time.sleep(1)


EXPECTED = {
    "valid": lambda o: o == "HTTP 200, code 0",
    "slow": lambda o: o == "HTTP 200, code 0",
    "bad-sign": lambda o: o == "HTTP 200, code 400105",
    "oversized": lambda o: o == "HTTP 413" or o.startswith("closed"),
    "disconnect": lambda o: o.startswith("client left"),
    "reset": lambda o: o.startswith("closed"),
    "empty-reply": lambda o: o.startswith("closed"),
    "truncated-json": lambda o: o.startswith("closed") or o == "HTTP 200, body not JSON",
    "http-502": lambda o: o.startswith("HTTP 502"),
}


def get_ocr_result(port, order):
    n = nonce()
    q = f"app_id={APP}&order_no={order}&nonce={n}&version=1.0.0&sign={sign(APP, order, n, '1.0.0')}&get_file=1"
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        c.request("GET", "/api/server/getOcrResult?" + q)
        return json.loads(c.getresponse().read())
    finally:
        c.close()


def verify(port, acked):
    ok, problems = 0, []
    for order, sides in acked.items():
        v = get_ocr_result(port, order)
        if v.get("code") != "0":
            problems.append(f"{order}: code {v.get('code')} {v.get('msg')}")
            continue
        for side, image in sides.items():
            if image is None:                       # its upload was not acknowledged
                continue
            photo = v.get("result", {}).get(f"{side}Photo") or ""
            if base64.b64decode(photo.split("base64,")[-1] + "==") != image:
                problems.append(f"{order}: {side}Photo differs from the upload")
            else:
                ok += 1
    return ok, problems


# ---- phase: stalled admin bodies -------------------------------------------------------------------
# Rounds of STALLED_ADMIN connections that send the headers of an admin call with a body they never
# finish, during the load. Each must be closed by the mock within --body-timeout (plus a margin):
# before issue #12 they stayed open forever and 1024 of them stopped the mock.
ADMIN_PATHS = [("POST", "clock"), ("PUT", "scenario"), ("POST", "scenario/queue"),
               ("POST", "verify-nonce-sign"), ("PUT", f"apps/{APP}/secret")]


class StalledAdmin:
    def __init__(self, port):
        self.port, self.sent, self.closed, self.left_open, self.slowest = port, 0, 0, 0, 0.0

    def round(self):
        socks = []
        for i in range(STALLED_ADMIN):
            method, path = ADMIN_PATHS[i % len(ADMIN_PATHS)]
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=BODY_TIMEOUT + 10)
                s.sendall(f"{method} /__admin/{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          f"Content-Length: 100\r\n\r\n{{".encode())
                socks.append((s, time.time()))
                self.sent += 1
            except OSError:
                pass
        for s, t0 in socks:
            try:
                while s.recv(4096):
                    pass
                self.closed += 1                     # EOF: the mock closed it
                self.slowest = max(self.slowest, time.time() - t0)
            except ConnectionResetError:
                self.closed += 1
            except (socket.timeout, OSError):
                self.left_open += 1
            finally:
                s.close()

    def run(self, until, stop):
        while time.time() < until and not stop.is_set():
            self.round()

    def report(self):
        print(f"stalled admin bodies: {self.sent} sent in rounds of {STALLED_ADMIN}, {self.closed} closed by the mock "
              f"(slowest {self.slowest:.1f} s, --body-timeout {BODY_TIMEOUT} s), {self.left_open} left open")
        return self.left_open


def main():
    work = tempfile.mkdtemp(prefix="idocr-soak-")
    data_dir = os.path.join(work, "data")
    os.makedirs(data_dir)
    proc, port = start_mock(data_dir)
    time.sleep(0.5)
    idle_rss = rss_mb(proc.pid)
    total = MINUTES * 60
    print(f"soak: {MINUTES:g} min, {WORKERS} workers, mock pid {proc.pid} on 127.0.0.1:{port}, work dir {work}")
    soak = Soak(port, proc.pid)
    start = time.time()
    threads = [threading.Thread(target=soak.worker, args=(start + total + 5, total, start)) for _ in range(WORKERS)]
    sampler = threading.Thread(target=soak.sample_rss)
    stalled = StalledAdmin(port)
    threads.append(threading.Thread(target=stalled.run, args=(start + total - BODY_TIMEOUT - 2, soak.stop)))
    for t in threads + [sampler]:
        t.start()
    while time.time() < start + total and any(t.is_alive() for t in threads):
        time.sleep(0.2)
    soak.killed_at = time.time()
    os.kill(proc.pid, signal.SIGKILL)                          # mid-load: the workers keep sending
    proc.wait()
    time.sleep(1)
    soak.stop.set()
    for t in threads + [sampler]:
        t.join()
    # Every code "0" a client read was written by the mock before it died: all must survive.
    acked = soak.acked
    failures = report(soak, idle_rss, start)
    failures += stalled.report()
    if NO_DATA_DIR:
        print("restart check: skipped (SOAK_NO_DATA_DIR=1)")
    else:
        t0 = time.time()
        proc, port = start_mock(data_dir)
        print(f"restart on the same --data-dir: serving again after {1000 * (time.time() - t0):.0f} ms, "
              f"RSS {rss_mb(proc.pid) or 0:.1f} MB")
        ok, problems = verify(port, acked)
        images = sum(1 for s in acked.values() for i in s.values() if i is not None)
        print(f"orders verified: {len(acked) - len({p.split(':')[0] for p in problems})} of {len(acked)} "
              f"acknowledged orders; {ok} of {images} images byte-identical")
        for p in problems[:20]:
            print("  MISSING/DIFFERENT", p)
        failures += len(problems)
        proc.terminate()
        proc.wait(timeout=15)
    if not NO_DATA_DIR and os.environ.get("SOAK_DISK_FULL", "1") != "0":
        failures += disk_full_phase(work)
    print("RESULT:", "PASS" if failures == 0 else f"FAIL ({failures} problems)")
    sys.exit(0 if failures == 0 else 1)


# ---- disk-full phase ------------------------------------------------------------------------------
def disk_full_phase(work):
    """Uploads of 300 KB onto a 2 MB tmpfs until it is full: each answer is "0" (and then the order
    must survive a kill -9 and restart) or 999999 (not acknowledged); no temp file may stay behind."""
    mnt = os.path.join(work, "full")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], capture_output=True).returncode:
        print("disk-full phase: skipped (cannot mount a tmpfs; run as root)")
        return 0
    failures = 0
    try:
        data_dir = os.path.join(mnt, "data")
        os.makedirs(data_dir)
        proc, port = start_mock(data_dir)
        soak = Soak(port, proc.pid)
        codes = collections.Counter()
        for i in range(24):
            image = b"\x89PNG\r\n\x1a\n" + os.urandom(300 * 1024)
            status, raw = soak.post(soak.body(f"full{i:03d}", "front", image))
            code = json.loads(raw).get("code")
            codes[code] += 1
            if code == "0":
                soak.acked[f"full{i:03d}"] = {"front": image}
            elif code != "999999":
                failures += 1
                print(f"  disk-full: UNEXPECTED HTTP {status}, code {code}")
        leftovers = [n for n in os.listdir(data_dir) if n.endswith(".tmp")]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc, port = start_mock(data_dir)
        ok, problems = verify(port, soak.acked)
        proc.terminate()
        proc.wait(timeout=15)
        failures += len(problems) + len(leftovers) + (codes["999999"] == 0)
        print(f"disk-full phase (2 MB tmpfs, 24 uploads of 300 KB): {codes['0']} answered 0, "
              f"{codes['999999']} answered 999999; after kill -9 and restart {ok} of {len(soak.acked)} "
              f"acknowledged orders verified, {len(problems)} lost; {len(leftovers)} temp files left"
              f"{'' if codes['999999'] else '; FAIL: the disk never filled'}")
    finally:
        subprocess.run(["umount", mnt])
    return failures


def report(soak, idle_rss, start):
    seconds = soak.killed_at - start
    by_kind = collections.defaultdict(collections.Counter)
    for (kind, outcome), n in soak.outcomes.items():
        by_kind[kind][outcome] += n
    served = sum(n for (k, o), n in soak.outcomes.items() if o.startswith("HTTP"))
    print(f"requests: {soak.sent} sent in {seconds:.0f} s before the kill, {served} answered over HTTP "
          f"({served / max(seconds, 1):.0f}/s)")
    failures = 0
    for kind in MIX:
        outcomes = by_kind.get(kind, {})
        line = ", ".join(f"{o}: {n}" for o, n in sorted(outcomes.items(), key=lambda x: -x[1]))
        bad = sum(n for o, n in outcomes.items() if o != "in flight at kill -9" and not EXPECTED[kind](o))
        failures += bad
        print(f"  {kind:<15} {sum(outcomes.values()):>7}  {'UNEXPECTED ' + str(bad) + ' ' if bad else ''}{line}")
    rss = soak.rss or [0]
    over = max(rss) > RSS_LIMIT_MB
    failures += over
    print(f"RSS: idle {idle_rss or 0:.1f} MB at start; under load min {min(rss):.1f} MB, max {max(rss):.1f} MB "
          f"over {len(soak.rss)} samples (bound {RSS_LIMIT_MB:g} MB{', EXCEEDED' if over else ''})")
    print(f"kill -9 mid-load after {seconds:.0f} s; "
          f"{len(soak.acked)} orders acknowledged with code 0")
    return failures


main()
PY
