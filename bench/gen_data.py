#!/usr/bin/env python3
"""Generates the benchmark's inputs into bench/.data/ (deterministic, no personal data):

- small.b64, 1mb.b64, 3mb.b64: the Base64 text of a valid PNG (a 1x1 pixel; random-noise PNGs
  stored uncompressed, sized so the Base64 is ~1 MB and just under the 3 MiB --image-cap);
- body_3mb.json: one signed request body with the 3 MB image (the floor parses it);
- wrk_small.txt: pre-signed small request bodies, one per line, each with its own orderNo and
  nonce, so wrk's Lua only picks the next line (no SHA-1 in Lua).

Usage: gen_data.py OUT_DIR [WRK_BODIES]
"""
import base64
import hashlib
import os
import random
import struct
import sys
import zlib

APP_ID, VERSION, TICKET = "TIDAMOCK", "1.0.0", "idocr-mock-sign-ticket"
IMAGE_CAP = 3 * 1024 * 1024  # the mock's default --image-cap, in Base64 bytes
TINY_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def noise_png(b64_len, seed):
    """A real RGB PNG of random pixels whose Base64 is at most b64_len characters."""
    rng = random.Random(seed)
    width = 1024
    row = 3 * width + 1
    budget = b64_len * 3 // 4 - 200  # header, chunk framing, zlib stored-block overhead
    height = budget // (row + 1)
    raw = b"".join(b"\x00" + rng.randbytes(3 * width) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")
    text = base64.b64encode(png).decode()
    assert len(text) <= b64_len, (len(text), b64_len)
    return text


def signed_body(order_no, nonce, image):
    sign = hashlib.sha1("".join(sorted([APP_ID, order_no, nonce, VERSION, TICKET])).encode()).hexdigest().upper()
    return ('{"webankAppId":"%s","version":"%s","nonce":"%s","orderNo":"%s","cardType":"0","sign":"%s",'
            '"idcardStr":"%s"}' % (APP_ID, VERSION, nonce, order_no, sign, image))


def main():
    out = sys.argv[1]
    wrk_bodies = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    os.makedirs(out, exist_ok=True)
    images = {"small": TINY_PNG, "1mb": noise_png(1_000_000, 1), "3mb": noise_png(IMAGE_CAP - 1024, 3)}
    for name, text in images.items():
        with open(os.path.join(out, name + ".b64"), "w") as f:
            f.write(text)
    with open(os.path.join(out, "body_3mb.json"), "w") as f:
        f.write(signed_body("floor0001", "f" * 32, images["3mb"]))
    salt = "%08x" % random.Random(os.getpid()).getrandbits(32)
    with open(os.path.join(out, "wrk_small.txt"), "w") as f:
        for i in range(wrk_bodies):
            order_no = "w%s%012d" % (salt, i)
            nonce = ("%032x" % (i * 2654435761))[-32:]
            f.write(signed_body(order_no, nonce, TINY_PNG) + "\n")
    print("generated in %s: %s" % (out, ", ".join("%s=%d B64 bytes" % (k, len(v)) for k, v in images.items())))


if __name__ == "__main__":
    main()
