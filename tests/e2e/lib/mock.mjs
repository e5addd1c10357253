// Starts the real binary on a free port and speaks the vendor protocol to it the way a partner's
// backend does (its own SHA-1, never the mock's `sign`), for the console's end-to-end tests.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BINARY = process.env.IDOCR_MOCK_BINARY || join(ROOT, 'target/debug/idocr-mock');
export const APP = 'TIDAMOCK';
export const STATIC_TICKET = 'idocr-mock-sign-ticket';

/** Starts `idocr-mock --port 0 ARGS`; resolves with {url, stop, log} once it printed its address. */
export function startMock(args = [], deadlineMs = 10000) {
  const child = spawn(BINARY, ['--port', '0', '--seed', '7', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-20000); });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { child.kill(); fail(new Error(`mock did not start within ${deadlineMs} ms:\n${log}`)); }, deadlineMs);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        const stop = () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); });
        ok({ url: m[1], stop, log: () => log });
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`mock exited with ${code}:\n${log}`)); });
  });
}

export const nonce = () => randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(32, 'a').slice(0, 32);

/** PROTOCOL.md §3: the values and the ticket, sorted in byte order, joined, SHA-1, upper hex. */
export function sign(values, ticket) {
  const sorted = [...values.filter((v) => v !== ''), ticket].sort((a, b) => (Buffer.from(a).compare(Buffer.from(b))));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex').toUpperCase();
}

/** A card picture from `idocr-mock image` (synthetic, never a real card), as Base64. */
export function cardPicture(side = 'front', scenario = 'success') {
  const file = join(mkdtempSync(join(tmpdir(), 'idocr-img-')), `${side}.png`);
  execFileSync(BINARY, ['image', '--scenario', scenario, '--side', side, '--format', 'png', '-o', file]);
  return readFileSync(file).toString('base64');
}

const ONE_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** One OCR call; `badSign` sends a sign that matches no ticket. Resolves with the parsed body. */
export async function ocr(url, { orderNo, side = '0', app = APP, ticket = STATIC_TICKET, badSign = false, image = ONE_PIXEL, headers = {} }) {
  const n = nonce();
  let s = sign([app, orderNo, n, '1.0.0'], ticket);
  if (badSign) s = s.replace(/./g, (c) => (c === '0' ? '1' : '0'));
  const body = { webankAppId: app, version: '1.0.0', nonce: n, orderNo, cardType: side, sign: s, idcardStr: image };
  const r = await fetch(`${url}/api/paas/idcardocrapp`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  return r.json();
}

/** One bank-card OCR call (`bankcardocrapp`: the ID card's sign, the picture in `bankcardStr`). */
export async function bankOcr(url, { orderNo, app = APP, ticket = STATIC_TICKET, image }) {
  const n = nonce();
  const body = { webankAppId: app, version: '1.0.0', nonce: n, orderNo, sign: sign([app, orderNo, n, '1.0.0'], ticket), bankcardStr: image };
  const r = await fetch(`${url}/api/paas/bankcardocrapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}

/** The token flow (PROTOCOL.md §4): an access token, then a SIGN ticket with it. */
export async function signTicket(url, secret = 'idocr-mock-secret') {
  const t = await (await fetch(`${url}/api/oauth2/access_token?app_id=${APP}&secret=${secret}&grant_type=client_credential&version=1.0.0`)).json();
  if (t.code !== '0') throw new Error(`access_token answered ${JSON.stringify(t)}`);
  const k = await (await fetch(`${url}/api/oauth2/api_ticket?app_id=${APP}&access_token=${t.access_token}&type=SIGN&version=1.0.0`)).json();
  if (k.code !== '0') throw new Error(`api_ticket answered ${JSON.stringify(k)}`);
  return k.tickets[0].value;
}

/** An admin call, with the admin token when one is given. */
export async function admin(url, path, { method = 'GET', body, token } = {}) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const r = await fetch(`${url}/__admin/${path}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  try { return { status: r.status, json: JSON.parse(text) }; } catch { return { status: r.status, text }; }
}
