// A screenshot loop for a person or an agent trying the console cold: one headless Firefox kept
// open between commands, driven by short commands; each answers with a screenshot's path and the
// numbered list of what can be clicked or typed into. Not a test (nothing asserts).
//   node look.mjs open URL            start the browser on URL (keeps running in the background)
//   node look.mjs shot                screenshot + what is on the screen
//   node look.mjs click N|TEXT        click element number N of the last list, or the first with TEXT
//   node look.mjs type N TEXT         type TEXT into field N (its old value replaced)
//   node look.mjs select N VALUE      choose VALUE in the drop-down N
//   node look.mjs scroll up|down      a screen up or down
//   node look.mjs width 390|1280      the viewport's width (a phone's, a desktop's)
//   node look.mjs quit
// LOOK_DIR (default /tmp/look) holds the screenshots and the browser's control port.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firefox } from './driver.mjs';

const DIR = process.env.LOOK_DIR || '/tmp/look';
mkdirSync(DIR, { recursive: true });
const [cmd, ...args] = process.argv.slice(2);

// In the page: the shown controls, numbered in a data attribute, and the text of the screen.
const LIST = `() => {
  const shown = (e) => e.getClientRects().length > 0 && e.getBoundingClientRect().bottom > 0 && e.getBoundingClientRect().top < innerHeight;
  const items = [...document.querySelectorAll('a[href], button, input, select, textarea, tbody tr, summary')].filter(shown);
  return items.map((e, i) => {
    e.dataset.look = String(i + 1);
    const what = e.tagName === 'INPUT' ? 'field' : e.tagName === 'SELECT' ? 'drop-down' : e.tagName === 'TR' ? 'row' : e.tagName === 'A' ? 'link' : 'button';
    const label = (e.getAttribute('aria-label') || e.textContent || e.placeholder || e.value || e.name || '').replace(/\\s+/g, ' ').trim().slice(0, 90);
    return '[' + (i + 1) + '] ' + what + ': ' + label + (e.tagName === 'INPUT' && e.value ? ' (now: ' + e.value.slice(0, 40) + ')' : '');
  }).join('\\n');
}`;

async function serve(url) {
  const page = await firefox();
  await page.viewport(1280, 800);
  await page.goto(url);
  let n = 0;
  const shot = async () => {
    n += 1;
    const file = join(DIR, `shot-${String(n).padStart(3, '0')}.png`);
    await page.impl.screenshotViewport(file);
    return `screenshot: ${file}\n${await page.eval(LIST)}`;
  };
  const target = (x) => (/^\d+$/.test(x) ? `[data-look="${x}"]` : null);
  const run = async ([c, a, ...rest]) => {
    if (c === 'shot') return shot();
    if (c === 'click') {
      if (target(a)) await page.click(target(a));
      else await page.click('a[href], button, tbody tr, summary, label', { text: [a, ...rest].join(' ') });
    } else if (c === 'type') await page.fill(target(a), rest.join(' '));
    else if (c === 'select') await page.eval('(s, v) => { const e = document.querySelector(s); e.value = v; e.dispatchEvent(new Event("change", { bubbles: true })); }', target(a), rest.join(' '));
    else if (c === 'scroll') await page.eval('(d) => window.scrollBy(0, (d === "up" ? -0.8 : 0.8) * innerHeight)', a);
    else if (c === 'width') await page.viewport(Number(a), Number(a) < 700 ? 844 : 800);
    else if (c === 'quit') { setTimeout(async () => { await page.close(); process.exit(0); }, 100); return 'bye'; }
    else return `unknown command ${c}`;
    await new Promise((r) => setTimeout(r, 400)); // let the page answer before the picture
    return shot();
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      try { res.end(await run(JSON.parse(body))); } catch (e) { res.end(`error: ${e.message}\n${await shot().catch(() => '')}`); }
    });
  }).listen(0, '127.0.0.1', () => writeFileSync(join(DIR, 'port'), String(server.address().port)));
}

if (cmd === 'serve') await serve(args[0]);
else if (cmd === 'open') {
  rmSync(join(DIR, 'port'), { force: true });
  const child = spawn(process.execPath, [process.argv[1], 'serve', args[0]], { detached: true, stdio: 'ignore' });
  child.unref();
  for (let i = 0; i < 100; i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    try { readFileSync(join(DIR, 'port')); break; } catch { /* not yet */ }
  }
  console.log(await send(['shot']));
} else console.log(await send([cmd, ...args]));

async function send(words) {
  const port = readFileSync(join(DIR, 'port'), 'utf8');
  const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(words) });
  return r.text();
}
