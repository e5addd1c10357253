// A partner-style client in Node.js (>= 18, no dependencies): signs its own requests the way the
// WeBank docs describe and checks what idocr-mock answers.
//
//   node examples/node-client.mjs http://127.0.0.1:8080
//
// Exits non-zero if any check fails.
import crypto from "node:crypto";
import zlib from "node:zlib";

const BASE = process.argv[2] ?? "http://127.0.0.1:8080";
const APP = "TIDAMOCK", TICKET = "idocr-mock-sign-ticket", VERSION = "1.0.0";

// Sign rule: values + ticket, sorted as strings, joined, SHA-1, upper-case hex.
const sign = (values, ticket) =>
  crypto.createHash("sha1").update([...values, ticket].filter(Boolean).sort().join(""), "utf8").digest("hex").toUpperCase();
const nonce = () => crypto.randomBytes(24).toString("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(32, "x").slice(0, 32);

// A tiny generated PNG (4×4 grey), built with zlib: no real card image anywhere.
function png() {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(4, 0); ihdr.writeUInt32BE(4, 4); ihdr[8] = 8; ihdr[9] = 0;
  const raw = Buffer.concat(Array.from({ length: 4 }, () => Buffer.from([0, 128, 128, 128, 128])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

function body(orderNo, cardType, overrides = {}) {
  const b = { webankAppId: APP, version: VERSION, nonce: nonce(), orderNo, cardType, idcardStr: png().toString("base64"), ...overrides };
  b.sign = overrides.sign ?? sign([b.webankAppId, b.orderNo, b.nonce, b.version], TICKET);
  return b;
}

async function ocr(payload, contentType = "application/json;charset=UTF-8") {
  const res = await fetch(`${BASE}/api/paas/idcardocrapp`, { method: "POST", headers: { "Content-Type": contentType }, body: typeof payload === "string" ? payload : JSON.stringify(payload) });
  return { status: res.status, reason: res.headers.get("x-idocr-mock-reason"), json: await res.json() };
}

let failures = 0;
const check = (what, ok, detail = "") => { console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? "  " + detail : ""}`); if (!ok) failures++; };

// GB 11643 check digit.
const checkDigit = (id17) => "10X98765432"[[...id17].reduce((s, d, i) => s + Number(d) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i], 0) % 11];

const order = "node" + Date.now();
const front = await ocr(body(order, "0"));
const r = front.json.result ?? {};
check("front: code 0", front.json.code === "0", `${front.json.code} ${front.json.msg}`);
check("front: check digit", r.idcard?.[17] === checkDigit(r.idcard?.slice(0, 17) ?? ""), r.idcard);
check("front: birth = digits 7-14", r.birth === r.idcard?.slice(6, 14), `${r.birth}`);
check("front: sex = parity of digit 17", r.sex === (Number(r.idcard?.[16]) % 2 ? "男" : "女"), r.sex);
check("front: success is boolean false", r.success === false);
const back = await ocr(body(order, "1"));
const b = back.json.result ?? {};
check("back: code 0", back.json.code === "0");
check("back: validDate yyyyMMdd-yyyyMMdd|长期", /^\d{8}-(\d{8}|长期)$/.test(b.validDate ?? ""), b.validDate);
check("back: authority", /公安局.+分局$/.test(b.authority ?? ""), b.authority);
check("back: no front fields", b.name === undefined && b.idcard === undefined);

const cases = [
  ["wrong sign", body("o1", "0", { sign: "0".repeat(40) }), "400105"],
  ["short nonce", body("o2", "0", { nonce: "abc" }), "400101"],
  ["over-long orderNo", body("o".repeat(33), "0"), "66660000"],
  ["3.1 MB image", body("o4", "0", { idcardStr: "A".repeat(3_250_000) }), "66660000"],
  ["text file as image", body("o5", "0", { idcardStr: Buffer.from("hello, I am text\n").toString("base64") }), "66661010"],
];
for (const [what, payload, code] of cases) {
  const a = await ocr(payload);
  check(`${what}: HTTP 200 code ${code}`, a.status === 200 && a.json.code === code, `${a.json.code} ${a.json.msg} | ${a.reason ?? ""}`);
}
const form = await ocr("webankAppId=TIDAMOCK&version=1.0.0", "application/x-www-form-urlencoded");
check("form-encoded body: 400101 in JSON", form.status === 200 && form.json.code === "400101", form.json.msg);

console.log(failures ? `${failures} check(s) failed` : "all checks passed");
process.exit(failures ? 1 : 0);
