// The console's behaviours that matter, in Firefox ESR and in WebKitGTK (the engine Safari uses), at
// a desktop's and a phone's width, against the real binary (scripts/e2e-engines.sh runs this file).
// One browser per engine and width; each test starts its own mock (a new origin, so a fresh session
// storage). Screenshots: target/e2e-screenshots/ENGINE-NAME-WIDTH.png (kept out of the repository).
// E2E_ENGINES="firefox webkit" and E2E_WIDTHS="desktop phone" choose what runs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from './driver.mjs';
import { ROOT, startMock, ocr, signTicket, cardPicture, admin } from '../lib/mock.mjs';
import { startDevProxy } from '../lib/dev-proxy.mjs';

const SHOTS = join(ROOT, 'target/e2e-screenshots');
const WIDTHS = { desktop: [1280, 800], phone: [390, 844] };
const engines = (process.env.E2E_ENGINES || 'firefox webkit').split(/\s+/).filter(Boolean);
const widths = (process.env.E2E_WIDTHS || 'desktop phone').split(/\s+/).filter(Boolean);

for (const engine of engines) {
  for (const width of widths) {
    describe(`${engine}, ${width} width`, () => {
      let page;
      let mock;
      let ui; // the console's URL: the binary's own, or the dev proxy's copy of src/admin/ui/ (E2E_DEV_PROXY=1)
      before(async () => {
        page = await ENGINES[engine]();
        const [w, h] = WIDTHS[width];
        const got = await page.viewport(w, h);
        assert.equal(got.width, w, `${engine} gives the page a viewport ${w} px wide`);
        mkdirSync(SHOTS, { recursive: true });
      });
      after(async () => { if (page) await page.close(); });
      const shot = (name) => page.screenshot(join(SHOTS, `${engine}-${name}-${width}.png`));
      // Each test: a fresh mock, the console opened on VIEW; the mock is stopped after BODY.
      const withMock = (args, view, body) => async () => {
        mock = await startMock(args);
        const proxy = process.env.E2E_DEV_PROXY === '1' ? await startDevProxy(mock.url) : null;
        ui = `${proxy ? proxy.url : mock.url}/__admin/ui`;
        try {
          await page.goto(`${ui}#${view}`);
          await page.waitFor(`#view-${view}`);
          await body(mock);
        } finally {
          if (proxy) await proxy.stop();
          await mock.stop();
        }
      };

      test('the page asks for the admin token, refuses a wrong one and lists the calls with the right one',
        withMock(['--admin-token', 's3cret-token'], 'requests', async (m) => {
          await page.waitFor('#token-prompt');
          await ocr(m.url, { orderNo: 'guarded01' });
          await shot('token-prompt');
          await page.fill('#token-input', 'wrong');
          await page.click('#token-form button[type=submit]');
          await page.waitFor('#token-error', { text: 'wrong admin token' });
          await page.fill('#token-input', 's3cret-token');
          await page.click('#token-form button[type=submit]');
          await page.waitFor('#requests tbody tr', { text: 'guarded01' });
          await page.waitGone('#token-prompt');
          assert.equal((await admin(m.url, 'requests')).status, 401, 'the data calls stay guarded');
        }));

      test('an OCR call made outside the page appears in the list within 2 s, through the event stream',
        withMock([], 'requests', async (m) => {
          await page.waitFor('#status', { text: 'new requests stream in' });
          const started = Date.now();
          await ocr(m.url, { orderNo: 'liveorder01' });
          await page.waitFor('#requests tbody tr', { text: 'liveorder01', timeout: 2000 });
          assert.ok(Date.now() - started < 2000);
          assert.match(await page.text('#status'), /new requests stream in/, 'still streaming, not polling');
          await shot('requests');
        }));

      test('opening a refused call shows the sign diagnosis', withMock([], 'requests', async (m) => {
        assert.equal((await ocr(m.url, { orderNo: 'refused01', badSign: true })).code, '400105');
        await page.click('#requests tbody td[data-label=orderNo]', { text: 'refused01' }); // a cell: WebDriver does not click a <tr>
        await page.waitFor('#detail .diagnosis .cause', { text: 'live SIGN ticket of the app gives this sign' });
        const sorted = await page.eval('() => [...document.querySelectorAll("#detail ol.sorted li code")].map((c) => c.textContent)');
        assert.equal(sorted.length, 5, `five sorted values: ${sorted}`);
        assert.ok(sorted.includes('refused01') && sorted.includes('<ticket idoc...(22)>'), `${sorted}`);
        await shot('request-refused');
      }));

      test('choosing blurry for the next call makes the next OCR call answer 66661001, and only that one',
        withMock([], 'outcome', async (m) => {
          await page.fill('#scenario-search', 'blur');
          await page.click('#scenarios li[data-scenario=blurry] button.next-only');
          await page.waitFor('#queue li', { text: 'blurry' });
          await shot('outcome');
          assert.equal((await ocr(m.url, { orderNo: 'blur01' })).code, '66661001');
          assert.equal((await ocr(m.url, { orderNo: 'blur02' })).code, '0');
        }));

      test('advancing the clock one hour makes a ticket-signed call answer 400105', withMock([], 'clock', async (m) => {
        const ticket = await signTicket(m.url);
        assert.equal((await ocr(m.url, { orderNo: 'clock01', ticket })).code, '0');
        await page.waitFor('#clock-now', { text: 'UTC+08:00' });
        // The ticket was issued after the view opened: the view catches up from the event stream.
        await page.waitFor('#tokens li li', { text: 'SIGN ticket' });
        await page.waitFor('#tokens [data-expires]', { text: 'left' });
        await page.click('button[data-advance="3600"]');
        await page.waitFor('#clock-offset', { text: '1 h' });
        assert.equal((await ocr(m.url, { orderNo: 'clock02', ticket })).code, '400105');
        await shot('clock');
      }));

      test('an order shows both thumbnails, front and back', withMock([], 'orders', async (m) => {
        assert.equal((await ocr(m.url, { orderNo: 'order77', side: '0', image: cardPicture('front') })).code, '0');
        assert.equal((await ocr(m.url, { orderNo: 'order77', side: '1', image: cardPicture('back') })).code, '0');
        await page.fill('#order-input', 'order77');
        await page.click('#order-open button[type=submit]');
        await page.waitFor('#order img.thumb');
        const widthsSeen = await page.eval('() => Promise.all([...document.querySelectorAll("#order img.thumb")].map((i) => i.decode().then(() => i.naturalWidth)))');
        assert.deepEqual(widthsSeen, [428, 428]);
        await page.waitFor('#orders li button', { text: 'order77' }); // the list opened before the calls catches up
        const side = await page.eval('() => { const [a, b] = [...document.querySelectorAll("#order .side")].map((s) => s.getBoundingClientRect()); return { sideBySide: Math.abs(a.top - b.top) < 2, fits: b.right <= innerWidth + 1 }; }');
        assert.equal(side.sideBySide, width === 'desktop', 'side by side on a desktop, stacked on a phone');
        assert.ok(side.fits, 'both sides fit the width of the page');
        await shot('order');
      }));

      test('the app picker scopes the queue: blurry for app A, a call of app B still succeeds, A gets 66661001',
        withMock([], 'outcome', async (m) => {
          const made = async (id) => (await admin(m.url, 'apps', { method: 'POST', body: { id } })).json;
          const [a, b] = [await made('TIDAJOBA'), await made('TIDAJOBB')];
          // The picker lists apps made after the page opened once a call comes through the stream.
          await ocr(m.url, { orderNo: 'jobb00', app: b.id, ticket: b.sign_tickets[0] });
          await page.waitFor('#app-pick', { text: 'TIDAJOBA' });
          await page.eval('() => { const s = document.querySelector("#app-pick"); s.value = "TIDAJOBA"; s.dispatchEvent(new Event("change")); }');
          await page.waitFor('#outcome-scope', { text: 'app TIDAJOBA only' });
          await page.click('#quick button[data-scenario=blurry]');
          await page.waitFor('#queue li', { text: 'blurry' });
          const over = await page.eval(`() => [...document.querySelectorAll('#app-bar *')]
            .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > innerWidth + 1).map((e) => e.tagName + '#' + e.id)`);
          assert.deepEqual(over, [], 'the app bar fits the width of the page');
          await shot('outcome-app');
          assert.equal((await ocr(m.url, { orderNo: 'jobb01', app: b.id, ticket: b.sign_tickets[0] })).code, '0');
          assert.equal((await ocr(m.url, { orderNo: 'joba01', app: a.id, ticket: a.sign_tickets[0] })).code, '66661001');
        }));

      test('nothing on the page is wider than the screen', withMock([], 'requests', async (m) => {
        await ocr(m.url, { orderNo: 'wideorder0123456789abcdefghijklm', badSign: true });
        await page.click('#requests tbody td[data-label=orderNo]', { text: 'wideorder' });
        await page.waitFor('#detail .diagnosis');
        for (const view of ['requests', 'outcome', 'clock', 'orders', 'images']) {
          await page.click(`#tabs a[data-view=${view}]`);
          await page.waitFor(`#view-${view}`);
          const over = await page.eval(`() => [...document.querySelectorAll('#view-${view} *')]
            .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-wrap, pre'))
            .slice(0, 3).map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);
          assert.deepEqual(over, [], `${view}: elements past the right edge (${innerWidthOf(width)} px)`);
        }
      }));
    });
  }
}
const innerWidthOf = (w) => WIDTHS[w][0];
