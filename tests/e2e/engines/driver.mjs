// One small driver over two engines, so that the same checks run in both:
//  - Firefox ESR (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi;
//  - WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver starting MiniBrowser, the WebKit engine
//    Safari uses) through W3C WebDriver classic, spoken here with fetch (no client library).
// Every wait polls the page for a selector (and a text) until a deadline; nothing sleeps for a fixed
// time to let the page "settle".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const WAIT_MS = 10000;

/** Resolves when `probe()` gives a truthy value (its value), polling every 50 ms; fails with `what`. */
async function until(probe, what, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await probe(); } catch (e) { last = undefined; if (Date.now() > end) throw e; }
    if (last) return last;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// In-page checks, passed as source text so that both protocols run the same function.
const FIND = `(sel, text) => {
  const els = [...document.querySelectorAll(sel)];
  const e = els.find((x) => (text == null || x.textContent.includes(text)) && x.getClientRects().length > 0);
  return e ? true : false;
}`;

/** The methods both engines offer; `impl` does the protocol work. */
class Page {
  constructor(impl) { this.impl = impl; }
  goto(url) { return this.impl.goto(url); }
  /** Waits until an element matching `sel` (with `text`, when given) is shown. */
  waitFor(sel, { text = null, timeout = WAIT_MS } = {}) {
    return until(() => this.eval(FIND, sel, text), `${sel}${text ? ` with "${text}"` : ''} shown`, timeout);
  }
  /** Waits until no element matching `sel` (with `text`) is shown. */
  waitGone(sel, { text = null, timeout = WAIT_MS } = {}) {
    return until(async () => !(await this.eval(FIND, sel, text)), `${sel} gone`, timeout);
  }
  /** Clicks the first shown element matching `sel` (with `text`), as a user does. */
  async click(sel, { text = null } = {}) { await this.waitFor(sel, { text }); return this.impl.click(sel, text); }
  /** Replaces the value of the input `sel` by typing `value`. */
  async fill(sel, value) { await this.waitFor(sel); return this.impl.fill(sel, value); }
  /** Runs `fnSource` (a function's text) in the page with `args`; resolves with its JSON result. */
  eval(fnSource, ...args) { return this.impl.eval(fnSource, args); }
  text(sel) { return this.eval('(s) => { const e = document.querySelector(s); return e ? e.textContent : null; }', sel); }
  /** Sets the size of the page's viewport (CSS pixels); resolves with what the page reports. */
  /** (MiniBrowser may apply its full-screen state after the first resize: asked again until it holds.) */
  async viewport(width, height) {
    let got;
    for (let i = 0; i < 20; i += 1) {
      await this.impl.viewport(width, height);
      got = await this.eval('() => ({ width: innerWidth, height: innerHeight })');
      if (got.width === width && got.height === height) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return got;
  }
  /** The whole page, scrolled to its top (a sticky bar would otherwise be drawn mid-page). */
  async screenshot(path) {
    await this.eval('() => window.scrollTo(0, 0)');
    return this.impl.screenshot(path);
  }
  close() { return this.impl.close(); }
}

// ---------- Firefox: puppeteer-core over WebDriver BiDi ----------
export async function firefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'idocr-e2e-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile,
    extraPrefsFirefox: { 'network.proxy.type': 0, 'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false },
  });
  const page = (await browser.pages())[0] || await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const version = await browser.version();
  return Object.assign(new Page({
    goto: async (url) => { await page.goto(url, { waitUntil: 'load' }); },
    click: (sel, text) => page.evaluateHandle((s, t) => [...document.querySelectorAll(s)]
      .find((x) => (t == null || x.textContent.includes(t)) && x.getClientRects().length > 0), sel, text)
      .then(async (h) => { await h.asElement().click(); await h.dispose(); }),
    fill: async (sel, value) => {
      await page.$eval(sel, (e) => { e.value = ''; });
      await page.type(sel, value);
    },
    // eslint-disable-next-line no-new-func
    eval: (src, args) => page.evaluate(new Function('args', `return (${src})(...args);`), args),
    viewport: (width, height) => page.setViewport({ width, height }),
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    screenshotViewport: (path) => page.screenshot({ path }),
    close: async () => { await browser.close(); rmSync(profile, { recursive: true, force: true }); },
  }), { engine: 'firefox', version, requests });
}

// ---------- WebKit: WebKitWebDriver (W3C WebDriver classic) ----------
const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function webkit() {
  const port = await freePort();
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  driver.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const j = await r.json();
    if (!r.ok) throw new Error(`WebKitWebDriver ${method} ${path}: ${j.value && (j.value.message || j.value.error)}`);
    return j.value;
  };
  await until(() => fetch(`${base}/status`).then((r) => r.ok), `WebKitWebDriver on port ${port} started (${log})`);
  const s = await call('POST', '/session', { capabilities: { alwaysMatch: {
    'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--full-screen'] },
  } } });
  const sid = `/session/${s.sessionId}`;
  const version = `${s.capabilities.browserName} ${s.capabilities.browserVersion}`;
  const element = async (sel, text) => {
    const found = await call('POST', `${sid}/execute/sync`, { script: `const [s, t] = arguments; return [...document.querySelectorAll(s)]
      .find((x) => (t == null || x.textContent.includes(t)) && x.getClientRects().length > 0) || null;`, args: [sel, text] });
    if (!found) throw new Error(`no shown ${sel}`);
    return found[ELEMENT];
  };
  // MiniBrowser runs full-screen: without its toolbar the window can be as narrow as a phone (with
  // it, GTK keeps the window at least 447 px wide). What the window has beyond its viewport:
  let chrome = { w: 0, h: 0 };
  let measured = false;
  return Object.assign(new Page({
    goto: (url) => call('POST', `${sid}/url`, { url }),
    click: async (sel, text) => call('POST', `${sid}/element/${await element(sel, text)}/click`, {}),
    fill: async (sel, value) => {
      const id = await element(sel, null);
      await call('POST', `${sid}/element/${id}/clear`, {});
      await call('POST', `${sid}/element/${id}/value`, { text: value });
    },
    eval: (src, args) => call('POST', `${sid}/execute/sync`, { script: `return (${src})(...arguments);`, args }),
    viewport: async (width, height) => {
      if (!measured) {
        measured = true;
        const r = await call('GET', `${sid}/window/rect`);
        const v = await call('POST', `${sid}/execute/sync`, { script: 'return [innerWidth, innerHeight];', args: [] });
        chrome = { w: r.width - v[0], h: r.height - v[1] };
      }
      await call('POST', `${sid}/window/rect`, { width: width + chrome.w, height: height + chrome.h });
    },
    // WebDriver classic shoots the viewport: for the whole page the window grows to the page's height.
    screenshot: async (path) => {
      const [w, h, full] = await call('POST', `${sid}/execute/sync`, {
        script: 'return [innerWidth, innerHeight, document.documentElement.scrollHeight];', args: [] });
      if (full > h) {
        const tall = Math.min(full, 6000);
        await call('POST', `${sid}/window/rect`, { width: w + chrome.w, height: tall + chrome.h });
        // Shot only once the page has laid out and painted at the new height (else: black below).
        await until(() => call('POST', `${sid}/execute/sync`, { script: 'return innerHeight;', args: [] }).then((v) => v === tall), 'the tall window');
        await call('POST', `${sid}/execute/async`, { script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)));', args: [] });
      }
      writeFileSync(path, Buffer.from(await call('GET', `${sid}/screenshot`), 'base64'));
      if (full > h) await call('POST', `${sid}/window/rect`, { width: w + chrome.w, height: h + chrome.h });
    },
    close: async () => {
      await call('DELETE', sid).catch(() => {});
      await new Promise((done) => { driver.once('exit', done); driver.kill('SIGTERM'); });
    },
  }), { engine: 'webkit', version, requests: null });
}

export const ENGINES = { firefox, webkit };
