// The console at /__admin/ui, in headless Chromium, against the real binary. Each test starts its
// own mock and browser. Screenshots go to target/e2e-screenshots/ (kept out of the repository).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, screenshots } from './lib/browser.mjs';
import { ocr, bankOcr, signTicket, cardPicture, admin } from './lib/mock.mjs';

async function withConsole(args, body) {
  const t = await setup(args);
  try { await body(t); } finally { await t.close(); }
}
const open = async (t, view = 'requests') => {
  const r = await t.page.goto(`${t.console}#${view}`);
  if (r && r.status() !== 200) {
    assert.fail(`GET ${t.console} answered HTTP ${r.status()}: this binary does not serve the console yet `
      + '(docs/console-api.md §1); scripts/e2e.sh --dev-proxy tests the files of src/admin/ui/ in front of it');
  }
  await t.page.locator(`#view-${view}`).waitFor();
};

test('an OCR call made outside the page appears in the list within 2 s', () => withConsole([], async (t) => {
  await open(t);
  await t.page.locator('#requests-empty').waitFor();
  const started = Date.now();
  await ocr(t.mock.url, { orderNo: 'liveorder01' });
  await t.page.locator('#requests tbody tr', { hasText: 'liveorder01' }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - started < 2000);
  await screenshots(t.page, 'requests');
}));

test('the page streams requests from /__admin/events rather than polling', () => withConsole([], async (t) => {
  await open(t);
  await t.page.locator('#status', { hasText: 'new requests stream in' }).waitFor({ timeout: 3000 });
}));

test('opening a refused call shows the sign diagnosis and a curl with placeholders', () => withConsole([], async (t) => {
  const answer = await ocr(t.mock.url, { orderNo: 'refused01', badSign: true });
  assert.equal(answer.code, '400105');
  await open(t);
  await t.page.locator('#requests tbody tr', { hasText: 'refused01' }).click();
  const diag = t.page.locator('#detail .diagnosis');
  await diag.waitFor();
  assert.match(await diag.locator('.cause').textContent(), /no live SIGN ticket of the app gives this sign/i);
  const sorted = await diag.locator('ol.sorted li code').allTextContents();
  assert.equal(sorted.length, 5, `five sorted values: ${sorted}`);
  assert.ok(sorted.includes('refused01') && sorted.includes('TIDAMOCK') && sorted.includes('1.0.0'));
  assert.ok(sorted.includes('<ticket idoc...(22)>'), `the expected ticket, masked: ${sorted}`);
  // In byte order, the masked ticket at the place of its first 4 characters (idoc…).
  const keys = sorted.map((v) => v.replace(/^<ticket (.{4})\.\.\.\(\d+\)>$/, '$1'));
  assert.deepEqual([...keys].sort((a, b) => Buffer.from(a).compare(Buffer.from(b))), keys, 'in byte order');
  assert.match(await diag.locator('.rule').textContent(), /idcardocrapp, SHA-1 of the sorted values of webankAppId, orderNo, nonce, version/);
  const curl = await t.page.locator('#detail pre.curl').textContent();
  assert.match(curl, /\/api\/paas\/idcardocrapp/);
  assert.match(curl, /^IDCARDSTR=\$\(base64 < card\.png/m, 'the image, summarised in the journal, is a placeholder');
  assert.match(curl, /"idcardStr":"'"\$IDCARDSTR"'"/);
  await screenshots(t.page, 'request-refused');
}));

test('every code in the list carries its text from /__admin/codes', () => withConsole([], async (t) => {
  await ocr(t.mock.url, { orderNo: 'refused02', badSign: true });
  await open(t);
  await t.page.locator('#requests tbody tr td.code', { hasText: '400105 身份验证不通过' }).waitFor({ timeout: 3000 });
}));

test('choosing blurry for the next call makes the next OCR call answer 66661001, and only that one', () => withConsole([], async (t) => {
  await open(t, 'outcome');
  await t.page.fill('#scenario-search', 'blur');
  await t.page.locator('#scenarios li[data-scenario=blurry] button.next-only').click();
  await t.page.locator('#queue li', { hasText: 'blurry' }).waitFor();
  await screenshots(t.page, 'outcome');
  assert.equal((await ocr(t.mock.url, { orderNo: 'blur01' })).code, '66661001');
  assert.equal((await ocr(t.mock.url, { orderNo: 'blur02' })).code, '0');
}));

test('advancing the clock one hour makes a ticket-signed call answer 400105', () => withConsole([], async (t) => {
  const ticket = await signTicket(t.mock.url);
  assert.equal((await ocr(t.mock.url, { orderNo: 'clock01', ticket })).code, '0');
  await open(t, 'clock');
  await t.page.locator('#clock-now', { hasText: 'UTC+08:00' }).waitFor();
  await t.page.click('button[data-advance="3600"]');
  await t.page.locator('#clock-offset', { hasText: '1 h' }).waitFor();
  assert.equal((await ocr(t.mock.url, { orderNo: 'clock02', ticket })).code, '400105');
  await screenshots(t.page, 'clock');
}));

test('the clock view lists the live SIGN ticket with its time left', () => withConsole([], async (t) => {
  await signTicket(t.mock.url);
  await open(t, 'clock');
  await t.page.locator('#tokens li li', { hasText: 'SIGN ticket' }).locator('[data-expires]', { hasText: 'left' }).waitFor({ timeout: 3000 });
}));

test('an order shows both thumbnails, front and back', () => withConsole([], async (t) => {
  assert.equal((await ocr(t.mock.url, { orderNo: 'order77', side: '0', image: cardPicture('front') })).code, '0');
  assert.equal((await ocr(t.mock.url, { orderNo: 'order77', side: '1', image: cardPicture('back') })).code, '0');
  await open(t, 'orders');
  await t.page.fill('#order-input', 'order77');
  await t.page.click('#order-open button[type=submit]');
  const thumbs = t.page.locator('#order img.thumb');
  await thumbs.nth(1).waitFor();
  assert.equal(await thumbs.count(), 2);
  const widths = await thumbs.evaluateAll((imgs) => Promise.all(imgs.map((i) => i.decode().then(() => i.naturalWidth))));
  assert.deepEqual(widths, [428, 428]);
  await screenshots(t.page, 'order');
}));

test('stored orders are listed without knowing their orderNo', () => withConsole([], async (t) => {
  await ocr(t.mock.url, { orderNo: 'listed01' });
  await open(t, 'orders');
  await t.page.locator('#orders li button', { hasText: 'listed01' }).waitFor({ timeout: 3000 });
}));

test('an image for a device is generated for the chosen scenario and side', () => withConsole([], async (t) => {
  await open(t, 'images');
  await t.page.locator('#image-scenario option[value=blurry]').waitFor({ state: 'attached' });
  await t.page.selectOption('#image-scenario', 'blurry');
  await t.page.selectOption('#image-side', 'back');
  await t.page.click('#image-form button[type=submit]');
  await t.page.locator('#image-result').waitFor({ timeout: 3000 });
  assert.equal(await t.page.getAttribute('#image-download', 'download'), 'idocr-mock-blurry-back.png');
  await screenshots(t.page, 'images');
}));

test('the page makes no request to any host but the mock', () => withConsole([], async (t) => {
  await ocr(t.mock.url, { orderNo: 'net01', badSign: true });
  for (const view of ['requests', 'outcome', 'clock', 'orders', 'images']) {
    await open(t, view);
    await t.page.waitForTimeout(300);
  }
  await t.page.locator('#requests tbody tr').first().click().catch(() => {});
  const origin = new URL(t.base).origin;
  const foreign = t.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  assert.ok(t.requests.length > 3, `the page made requests: ${t.requests}`);
  assert.deepEqual(foreign, []);
}));

test('with --admin-token the token prompt appears, refuses a wrong token and works with the right one', () => withConsole(['--admin-token', 's3cret-token'], async (t) => {
  await ocr(t.mock.url, { orderNo: 'guarded01' });
  await open(t);
  await t.page.locator('#token-prompt').waitFor();
  await screenshots(t.page, 'token-prompt');
  await t.page.fill('#token-input', 'wrong');
  await t.page.click('#token-form button[type=submit]');
  await t.page.locator('#token-error', { hasText: 'wrong admin token' }).waitFor();
  await t.page.fill('#token-input', 's3cret-token');
  await t.page.click('#token-form button[type=submit]');
  await t.page.locator('#requests tbody tr', { hasText: 'guarded01' }).waitFor();
  assert.equal(await t.page.isHidden('#token-prompt'), true);
  await t.page.reload();
  await t.page.locator('#requests tbody tr', { hasText: 'guarded01' }).waitFor();
  assert.equal(await t.page.isHidden('#token-prompt'), true, 'the token is kept for the tab');
  assert.equal((await admin(t.mock.url, 'requests')).status, 401, 'the data calls stay guarded');
}));

test('an error from the admin API is shown in place, in words', () => withConsole([], async (t) => {
  await open(t, 'clock');
  await t.page.fill('#clock-set-value', 'not a time');
  await t.page.click('#clock-set button[type=submit]');
  await t.page.locator('#clock-error', { hasText: 'HTTP 400' }).waitFor();
}));

test('the page reads the event format of docs/console-api.md, split anywhere across chunks', () => withConsole([], async (t) => {
  await open(t);
  await t.page.locator('#requests-empty').waitFor();
  // The stream the spec describes: retry, a gap, a heartbeat comment, two entries; CRLF and LF mixed,
  // cut into 7-byte chunks so that no event arrives whole.
  const shown = await t.page.evaluate(async () => {
    const entry = (id, order) => JSON.stringify({ id, time: '2026-12-02T13:35:32.308+08:00', method: 'POST', path: '/api/paas/idcardocrapp', status: 200, code: '0', order_no: order, app_id: 'TIDAMOCK', latency_ms: 1 });
    const text = `retry: 2000\n\nevent: gap\ndata: {"after":0,"first_kept":3,"missed":2}\n\n: keep-alive\n\nid: 3\r\nevent: request\r\ndata: ${entry(3, 'streamed03')}\r\n\r\nid: 4\nevent: request\ndata: ${entry(4, 'streamed04')}\n\n`;
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7)); c.close(); } });
    await window.readEvents(body);
    return [...document.querySelectorAll('#requests tbody tr td[data-label=orderNo]')].map((td) => td.textContent);
  });
  assert.deepEqual(shown.filter((o) => o.startsWith('streamed')), ['streamed04', 'streamed03'], 'newest first, each once');
  assert.match(await t.page.textContent('#status'), /2 requests were skipped/);
}));

test('the filters narrow the list to the calls asked for', () => withConsole([], async (t) => {
  await ocr(t.mock.url, { orderNo: 'keepme01' });
  await ocr(t.mock.url, { orderNo: 'dropme01', badSign: true });
  await open(t);
  await t.page.locator('#requests tbody tr', { hasText: 'dropme01' }).waitFor();
  await t.page.fill('#filters [name=code]', '0');
  await t.page.locator('#requests tbody tr', { hasText: 'dropme01' }).waitFor({ state: 'detached' });
  assert.equal(await t.page.locator('#requests tbody tr', { hasText: 'keepme01' }).count(), 1);
  await t.page.fill('#filters [name=code]', '');
  await t.page.fill('#filters [name=order]', 'dropme');
  await t.page.locator('#requests tbody tr', { hasText: 'keepme01' }).waitFor({ state: 'detached' });
  assert.equal(await t.page.locator('#requests tbody tr').count(), 1);
}));

test('the queue is reordered and cleared from the page', () => withConsole([], async (t) => {
  await open(t, 'outcome');
  await t.page.click('#quick button[data-scenario=expired]');
  await t.page.locator('#queue li', { hasText: 'expired' }).waitFor();
  await t.page.click('#quick button[data-scenario=blurry]');
  await t.page.locator('#queue li', { hasText: 'blurry' }).waitFor();
  await t.page.click('#queue button[aria-label="move blurry up"]');
  await t.page.locator('#queue li').first().filter({ hasText: 'blurry' }).waitFor();
  assert.deepEqual((await admin(t.mock.url, 'scenario/queue')).json.queue, ['blurry', 'expired']);
  await t.page.click('#queue-clear');
  await t.page.locator('#queue-empty').waitFor();
  assert.deepEqual((await admin(t.mock.url, 'scenario/queue')).json.queue, []);
}));

test('the app picker scopes the queue: blurry queued for app A leaves app B alone and answers A with 66661001', () => withConsole([], async (t) => {
  const made = (id) => admin(t.mock.url, 'apps', { method: 'POST', body: { id } });
  const [a, b] = [(await made('TIDAJOBA')).json, (await made('TIDAJOBB')).json];
  await open(t, 'outcome');
  await t.page.locator('#app-pick option[value=TIDAJOBA]').waitFor({ state: 'attached' });
  assert.match(await t.page.textContent('#outcome-scope'), /every app without its own setting/);
  await t.page.selectOption('#app-pick', 'TIDAJOBA');
  await t.page.locator('#outcome-scope', { hasText: 'app TIDAJOBA only' }).waitFor();
  assert.match(await t.page.textContent('#next-who'), /next OCR call of app TIDAJOBA/);
  await t.page.click('#quick button[data-scenario=blurry]');
  await t.page.locator('#queue li', { hasText: 'blurry' }).waitFor();
  await screenshots(t.page, 'outcome-app');
  assert.deepEqual((await admin(t.mock.url, 'scenario/queue')).json.queue, [], "the mock's own queue is untouched");
  assert.equal((await ocr(t.mock.url, { orderNo: 'jobb01', app: b.id, ticket: b.sign_tickets[0] })).code, '0');
  assert.equal((await ocr(t.mock.url, { orderNo: 'joba01', app: a.id, ticket: a.sign_tickets[0] })).code, '66661001');
  assert.equal((await ocr(t.mock.url, { orderNo: 'joba02', app: a.id, ticket: a.sign_tickets[0] })).code, '0');
  // The Requests view shows the app picked alone.
  await open(t, 'requests');
  await t.page.locator('#requests tbody tr', { hasText: 'joba02' }).waitFor();
  assert.equal(await t.page.locator('#requests tbody tr', { hasText: 'jobb01' }).count(), 0);
  await t.page.selectOption('#app-pick', '');
  await t.page.locator('#requests tbody tr', { hasText: 'jobb01' }).waitFor();
}));

test('an app made at run time shows up in the picker from the event stream, and is made and deleted from the page', () => withConsole([], async (t) => {
  await open(t);
  await t.page.locator('#app-pick option[value=TIDAMOCK]').waitFor({ state: 'attached' });
  const made = (await admin(t.mock.url, 'apps', { method: 'POST', body: { id: 'TIDAJOBC' } })).json;
  await ocr(t.mock.url, { orderNo: 'jobc01', app: made.id, ticket: made.sign_tickets[0] });
  await t.page.locator('#app-pick option[value=TIDAJOBC]').waitFor({ state: 'attached', timeout: 3000 });
  await t.page.click('#app-new');
  await t.page.locator('#app-made', { hasText: 'Made app TIDA' }).waitFor();
  const id = await t.page.inputValue('#app-pick');
  assert.match(id, /^TIDA[A-Z0-9]{4}$/);
  assert.equal((await admin(t.mock.url, `apps/${id}`)).status, 200);
  await t.page.click('#app-delete');
  await t.page.locator('#app-delete', { hasText: 'click again' }).waitFor();
  await t.page.click('#app-delete');
  await t.page.locator(`#app-pick option[value=${id}]`).waitFor({ state: 'detached' });
  assert.equal(await t.page.inputValue('#app-pick'), '');
  assert.equal((await admin(t.mock.url, `apps/${id}`)).status, 404);
}));

test('the clock moved under an app moves that app alone', () => withConsole([], async (t) => {
  await admin(t.mock.url, 'apps', { method: 'POST', body: { id: 'TIDAJOBD' } });
  await open(t, 'clock');
  await t.page.locator('#app-pick option[value=TIDAJOBD]').waitFor({ state: 'attached' });
  await t.page.selectOption('#app-pick', 'TIDAJOBD');
  await t.page.locator('#clock-scope', { hasText: 'app TIDAJOBD only' }).waitFor();
  await t.page.click('button[data-advance="3600"]');
  await t.page.locator('#clock-offset', { hasText: "TIDAJOBD's own clock" }).waitFor();
  assert.equal((await admin(t.mock.url, 'apps/TIDAJOBD/clock')).json.offset_ms, 3600000);
  assert.equal((await admin(t.mock.url, 'clock')).json.offset_ms, 0);
  await screenshots(t.page, 'clock-app');
}));

test('an order with a bank card shows its thumbnail and returned fields', () => withConsole([], async (t) => {
  const answer = await bankOcr(t.mock.url, { orderNo: 'bank01', image: cardPicture('bank', 'bank-pass') });
  assert.equal(answer.code, '0', JSON.stringify(answer).slice(0, 300));
  await open(t, 'orders');
  await t.page.locator('#orders li', { hasText: 'bank card 0' }).locator('button', { hasText: 'bank01' }).click();
  const thumb = t.page.locator('#order img.thumb[alt^="bank card"]');
  await thumb.waitFor();
  assert.equal(await t.page.locator('#order img.thumb').count(), 1, 'a bank-card order has no ID-card sides');
  assert.equal(await thumb.evaluate((i) => i.decode().then(() => i.naturalWidth)), 428);
  assert.match(await t.page.textContent('#order'), new RegExp(answer.result.bankcardNo));
  await screenshots(t.page, 'order-bank');
}));

test('the images view makes a bank-card picture with bank scenarios only', () => withConsole([], async (t) => {
  await open(t, 'images');
  await t.page.locator('#image-scenario option[value=blurry]').waitFor({ state: 'attached' });
  await t.page.selectOption('#image-side', 'bank');
  await t.page.locator('#image-scenario option[value=blurry]').waitFor({ state: 'detached' });
  await t.page.selectOption('#image-scenario', 'bank-blurry');
  await t.page.click('#image-form button[type=submit]');
  await t.page.locator('#image-result').waitFor({ timeout: 3000 });
  assert.equal(await t.page.getAttribute('#image-download', 'download'), 'idocr-mock-bank-blurry-bank.png');
  await screenshots(t.page, 'images-bank');
}));

test('the face default and queue are set from the Next outcome view', () => withConsole([], async (t) => {
  await open(t, 'outcome');
  await t.page.locator('#face-quick button[data-face=face-spoof]').click();
  await t.page.locator('#face-queue', { hasText: 'face-spoof' }).waitFor();
  assert.deepEqual((await admin(t.mock.url, 'face/scenarios')).json.queue, ['face-spoof']);
  await t.page.selectOption('#face-pick', 'face-pass');
  await t.page.click('#face-default button[type=submit]');
  await t.page.locator('#face-now', { hasText: 'face-pass' }).waitFor();
  assert.equal((await admin(t.mock.url, 'face/scenarios')).json.default, 'face-pass');
}));

test('with an app picked, the face queue and default set from the page are that app\'s alone', () => withConsole([], async (t) => {
  await admin(t.mock.url, 'apps', { method: 'POST', body: { id: 'TIDAFACE' } });
  await open(t, 'outcome');
  await t.page.locator('#app-pick option[value=TIDAFACE]').waitFor({ state: 'attached' });
  await t.page.selectOption('#app-pick', 'TIDAFACE');
  await t.page.locator('#outcome-scope', { hasText: 'app TIDAFACE only' }).waitFor();
  await t.page.locator('#face-now', { hasText: "follows the mock's" }).waitFor();
  await t.page.locator('#face-quick button[data-face=face-spoof]').click();
  await t.page.locator('#face-queue', { hasText: 'face-spoof' }).waitFor();
  await t.page.selectOption('#face-pick', 'face-pass');
  await t.page.click('#face-default button[type=submit]');
  await t.page.locator('#face-now', { hasText: 'face-pass' }).waitFor();
  const own = (await admin(t.mock.url, 'apps/TIDAFACE/face/scenarios')).json;
  assert.deepEqual([own.default, own.queue], ['face-pass', ['face-spoof']], JSON.stringify(own));
  const mocks = (await admin(t.mock.url, 'face/scenarios')).json;
  assert.deepEqual([mocks.default, mocks.queue], [null, []], "the mock's own face settings are untouched");
}));
