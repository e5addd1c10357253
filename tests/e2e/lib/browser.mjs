// Headless Debian Chromium driven by playwright-core, a fresh profile per launch, and the console
// under test: the binary's own /__admin/ui, or the dev proxy's copy when E2E_DEV_PROXY=1.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startMock } from './mock.mjs';
import { startDevProxy } from './dev-proxy.mjs';

export const SHOTS = join(ROOT, 'target/e2e-screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A mock (ARGS), the console's base URL in front of it, and a browser; `close()` ends all three. */
export async function setup(args = []) {
  const mock = await startMock(args);
  const proxy = process.env.E2E_DEV_PROXY === '1' ? await startDevProxy(mock.url) : null;
  const profile = mkdtempSync(join(tmpdir(), 'idocr-e2e-profile-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ARGS, viewport: DESKTOP,
  });
  const requests = [];
  browser.on('request', (r) => requests.push(r.url()));
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(10000);
  const base = proxy ? proxy.url : mock.url;
  return {
    mock, base, page, browser, requests,
    console: `${base}/__admin/ui`,
    async close() {
      await browser.close();
      if (proxy) await proxy.stop();
      await mock.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Writes NAME-desktop.png and NAME-phone.png of the current page. */
export async function screenshots(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(vp);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}
