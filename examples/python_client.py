#!/usr/bin/env python3
"""A partner-style client in Python (3.8+, standard library only): signs its own requests the way
the WeBank docs describe and checks what idocr-mock answers.

    python3 examples/python_client.py http://127.0.0.1:8080

Exits non-zero if any check fails.
"""
import base64
import binascii
import hashlib
import json
import re
import secrets
import string
import struct
import sys
import time
import urllib.request
import zlib

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
APP, TICKET, VERSION = "TIDAMOCK", "idocr-mock-sign-ticket", "1.0.0"


def sign(values, ticket):
    """Sign rule: values + ticket, sorted as strings, joined, SHA-1, upper-case hex."""
    parts = sorted(v for v in list(values) + [ticket] if v)
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest().upper()


def nonce():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def png():
    """A tiny generated PNG (4x4 grey), built with zlib: no real card image anywhere."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", binascii.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * 4 for _ in range(4))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def body(order_no, card_type, **overrides):
    b = {"webankAppId": APP, "version": VERSION, "nonce": nonce(), "orderNo": order_no, "cardType": card_type,
         "idcardStr": base64.b64encode(png()).decode()}
    b.update(overrides)
    b["sign"] = overrides.get("sign") or sign([b["webankAppId"], b["orderNo"], b["nonce"], b["version"]], TICKET)
    return b


def ocr(payload, content_type="application/json;charset=UTF-8"):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    req = urllib.request.Request(BASE + "/api/paas/idcardocrapp", data=data, method="POST",
                                 headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=30) as res:
        return res.status, res.headers.get("x-idocr-mock-reason"), json.loads(res.read())


failures = 0


def check(what, ok, detail=""):
    global failures
    print(("ok  " if ok else "FAIL") + " " + what + ("  " + str(detail) if detail else ""))
    if not ok:
        failures += 1


def check_digit(id17):
    """GB 11643 check digit."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(id17, weights)) % 11]


order = "py%d" % int(time.time() * 1000)
_, _, front = ocr(body(order, "0"))
r = front.get("result") or {}
idcard = r.get("idcard") or ""
check("front: code 0", front.get("code") == "0", "%s %s" % (front.get("code"), front.get("msg")))
check("front: check digit", len(idcard) == 18 and idcard[17] == check_digit(idcard[:17]), idcard)
check("front: birth = digits 7-14", r.get("birth") == idcard[6:14], r.get("birth"))
check("front: sex = parity of digit 17", len(idcard) == 18 and r.get("sex") == ("男" if int(idcard[16]) % 2 else "女"), r.get("sex"))
check("front: success is boolean false", r.get("success") is False)
_, _, back = ocr(body(order, "1"))
b = back.get("result") or {}
check("back: code 0", back.get("code") == "0")
check("back: validDate yyyyMMdd-yyyyMMdd|长期", re.fullmatch(r"\d{8}-(\d{8}|长期)", b.get("validDate") or "") is not None, b.get("validDate"))
check("back: authority", re.search(r"公安局.+分局$", b.get("authority") or "") is not None, b.get("authority"))
check("back: no front fields", "name" not in b and "idcard" not in b)

cases = [
    ("wrong sign", body("o1", "0", sign="0" * 40), "400105"),
    ("short nonce", body("o2", "0", nonce="abc"), "400101"),
    ("over-long orderNo", body("o" * 33, "0"), "66660000"),
    ("3.1 MB image", body("o4", "0", idcardStr="A" * 3_250_000), "66660000"),
    ("text file as image", body("o5", "0", idcardStr=base64.b64encode(b"hello, I am text\n").decode()), "66661010"),
]
for what, payload, code in cases:
    status, reason, answer = ocr(payload)
    check("%s: HTTP 200 code %s" % (what, code), status == 200 and answer.get("code") == code,
          "%s %s | %s" % (answer.get("code"), answer.get("msg"), reason or ""))
status, _, form = ocr(b"webankAppId=TIDAMOCK&version=1.0.0", "application/x-www-form-urlencoded")
check("form-encoded body: 400101 in JSON", status == 200 and form.get("code") == "400101", form.get("msg"))

print("%d check(s) failed" % failures if failures else "all checks passed")
sys.exit(1 if failures else 0)
