// DEV-ONLY AID, not the product: serves the console's files from src/admin/ui/ the way
// docs/console-api.md says the binary will, and forwards every other path to a real mock. It lets
// the page be exercised before the Rust side serves /__admin/ui; scripts/e2e.sh --dev-proxy uses it.
import { createServer, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './mock.mjs';

const UI = join(ROOT, 'src/admin/ui');
const ASSETS = {
  '/__admin/ui': ['index.html', 'text/html; charset=utf-8'],
  '/__admin/ui/': ['index.html', 'text/html; charset=utf-8'],
  '/__admin/ui/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/__admin/ui/style.css': ['style.css', 'text/css; charset=utf-8'],
};
export const CSP = "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Starts the proxy in front of `target` (the mock's base URL); resolves with {url, stop}. */
export function startDevProxy(target) {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const path = req.url.split('?')[0];
    const asset = ASSETS[path];
    if (asset && req.method === 'GET') {
      res.writeHead(200, { 'content-type': asset[1], 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
      res.end(readFileSync(join(UI, asset[0])));
      return;
    }
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => { res.writeHead(502, { 'content-type': 'application/json' }); res.end(JSON.stringify({ error: `dev proxy: ${e.message}` })); });
    req.pipe(up);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    ok({ url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((d) => { server.closeAllConnections(); server.close(d); }) });
  }));
}
