#!/usr/bin/env python3
"""Writes the small seed corpora of the fuzz targets into fuzz/corpus/<target>/seed-*.

Run from anywhere: python3 fuzz/seed-corpus.py. The seeds are generated (no real data): signed and
broken OCR bodies for `pipeline`, Base64 variants for `image`, doc-style values for `sign`.
"""
import base64
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
APP, TICKET, NONCE = "TIDAMOCK", "idocr-mock-sign-ticket", "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(32))
BMP = b"BM" + bytes(12) + bytes(range(16))


def sign(values, ticket=TICKET):
    parts = sorted(v for v in [*values, ticket] if v)
    return hashlib.sha1("".join(parts).encode()).hexdigest().upper()


def body(order="fuzz1", card="0", image=PNG, **extra):
    b = {"webankAppId": APP, "version": "1.0.0", "nonce": NONCE, "orderNo": order, "cardType": card,
         "idcardStr": base64.b64encode(image).decode(), "sign": sign([APP, order, NONCE, "1.0.0"])}
    b.update(extra)
    return json.dumps(b, ensure_ascii=False).encode()


def write(target, seeds):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (d / f"seed-{name}").write_bytes(data)


# pipeline: first byte = switches (1 sign check off, 2 legacy texts, 4 strict Base64,
# 8/16 content type, 32 ?orderNo= in the URL), the rest = the body.
wrapped = base64.b64encode(PNG).decode()
wrapped = "data:image/png;base64," + "\r\n".join(wrapped[i:i + 76] for i in range(0, len(wrapped), 76))
write("pipeline", {
    "front": b"\x00" + body(),
    "back-jpeg": b"\x00" + body(card="1", image=JPEG),
    "bmp-native": b"\x20" + body(image=BMP, getNative="1"),
    "sign-off-wrapped": b"\x01" + body(idcardStr=wrapped),
    "bad-sign": b"\x00" + body(sign="0" * 40),
    "text-image": b"\x01" + body(image=b"just text"),
    "bad-base64": b"\x01" + body(idcardStr="@@@@"),
    "wrong-types": b"\x00" + json.dumps({"webankAppId": 1, "orderNo": [1], "nonce": {}, "version": True}).encode(),
    "duplicate-key": b"\x00" + body()[:-1] + b',"orderNo":"other"}',
    "nested": b"\x00" + b"[" * 200 + b"]" * 200,
    "broken": b"\x00" + body()[:40],
    "form": b"\x18webankAppId=TIDAMOCK&version=1.0.0",
})

# split: first byte = chunk size - 1 (bits 0-6) and 128 for the bank card's field, the rest = a body.
b64 = base64.b64encode(PNG).decode()
write("split", {
    "front-1": b"\x00" + body(),
    "front-7": b"\x06" + body(),
    "data-url": b"\x02" + body(idcardStr="data:image/png;base64," + b64),
    "php-slash": b"\x03" + body(image=JPEG + b"\xff\xff").replace(b"/", b"\\/"),
    "wrapped": b"\x04" + body(idcardStr=wrapped),
    "unpadded": b"\x05" + body(idcardStr=b64.rstrip("=")),
    "nested-first": b"\x08" + b'{"x":{"idcardStr":"' + b64.encode() + b'"},' + body()[1:],
    "two-images": b"\x09" + body()[:-1] + b',"idcardStr":"' + b64.encode() + b'"}',
    "bank": b"\x8a" + json.dumps({"webankAppId": APP, "version": "1.0.0", "nonce": NONCE, "orderNo": "b1",
                                   "bankcardStr": b64, "sign": "S"}).encode(),
    "unclosed": b"\x0b" + body()[:-3],
})

# image: the text of an idcardStr.
write("image", {
    "png": base64.b64encode(PNG),
    "jpeg-unpadded": base64.b64encode(JPEG).rstrip(b"="),
    "bmp": base64.b64encode(BMP),
    "data-url-wrapped": wrapped.encode(),
    "text": base64.b64encode(b"hello, world"),
    "garbage": b"***==\r\n",
})

# sign: raw bytes that `arbitrary` turns into fields, tickets and a received sign.
write("sign", {
    "doc-vector": "\x04appId001aabc1457895464{}1.0.0{}".format(NONCE, sign(["appId001", "aabc1457895464", NONCE, "1.0.0"])).encode(),
    "ticket": ("\x02" + TICKET + "\x00" + sign([APP, "fuzz1", NONCE, "1.0.0"])).encode(),
})
print("seed corpora written under", HERE / "corpus")
