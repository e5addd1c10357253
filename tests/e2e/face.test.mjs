// The H5 face flow in headless Chromium against the real binary: the partner's backend (this test,
// signing with its own SHA-1) gets an h5faceId and a NONCE ticket, the browser opens the login URL,
// a person presses an outcome button on the mock's face page, and the browser lands on a partner
// page served by this test, whose query carries a newSignature the test verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { setup, screenshots } from './lib/browser.mjs';
import { APP, STATIC_TICKET, nonce, sign } from './lib/mock.mjs';

async function partnerPage() {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(req.url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>partner</title><h1 id="partner">partner callback</h1>');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/face/done`, seen, close: () => new Promise((ok) => server.close(ok)) };
}

async function h5Login(mockUrl, orderNo, userId, callback) {
  const [name, idNo] = ['测试', '110101199003070011'];
  const body = { webankAppId: APP, orderNo, name, idNo, userId, version: '1.0.0', sign: sign([APP, orderNo, name, idNo, userId, '1.0.0'], STATIC_TICKET) };
  const r = await (await fetch(`${mockUrl}/api/server/h5/geth5faceid`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  assert.equal(r.code, '0', JSON.stringify(r));
  const t = await (await fetch(`${mockUrl}/api/oauth2/access_token?app_id=${APP}&secret=idocr-mock-secret&grant_type=client_credential&version=1.0.0`)).json();
  const k = await (await fetch(`${mockUrl}/api/oauth2/api_ticket?app_id=${APP}&access_token=${t.access_token}&type=NONCE&version=1.0.0&user_id=${userId}`)).json();
  const n = nonce();
  const id = r.result.h5faceId;
  const s = sign([APP, userId, orderNo, '1.0.0', id, n], k.tickets[0].value);
  const q = new URLSearchParams({ webankAppId: APP, version: '1.0.0', nonce: n, orderNo, h5faceId: id, url: callback, resultType: '1', from: 'browser', userId, sign: s });
  return { login: `http://${r.result.optimalDomain}/api/web/login?${q}`, id };
}

test('a person presses face-pass on the face page and lands on the partner page with a valid newSignature', async () => {
  const t = await setup();
  const partner = await partnerPage();
  try {
    const { login, id } = await h5Login(t.mock.url, 'e2eface01', 'e2euser01', partner.url);
    await t.page.goto(login);
    await t.page.locator('a.outcome[data-scenario="face-pass"]').waitFor();
    await screenshots(t.page, 'face-page');
    await t.page.locator('a.outcome[data-scenario="face-pass"]').click();
    await t.page.locator('#partner').waitFor();
    const landed = new URL(t.page.url());
    assert.equal(`${landed.origin}${landed.pathname}`, partner.url);
    const p = landed.searchParams;
    assert.equal(p.get('code'), '0');
    assert.equal(p.get('orderNo'), 'e2eface01');
    assert.equal(p.get('h5faceId'), id);
    assert.equal(p.get('liveRate'), '99');
    assert.equal(p.get('newSignature'), sign([APP, 'e2eface01', '0'], STATIC_TICKET), 'FV-3 with the SIGN ticket');
    // The same login URL again: the NONCE ticket is used up.
    await t.page.goto(login);
    await t.page.locator('#error', { hasText: '签名不合法' }).waitFor();
  } finally {
    await partner.close();
    await t.close();
  }
});
