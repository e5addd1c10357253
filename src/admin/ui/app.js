// The idocr-mock console: plain JS, no framework, no build step. Every call goes to this mock's
// own /__admin/ API (same origin); the admin token lives in sessionStorage only.
'use strict';

const ADMIN = location.pathname.replace(/\/ui(\/.*)?$/, '/');
const VENDOR_PATHS = ['/api/paas/idcardocrapp', '/api/paas/ocrapp', '/api/oauth2/access_token', '/api/oauth2/api_ticket', '/api/server/getOcrResult'];
const COMMON = ['blurry', 'expired', 'not-front', 'server-busy', 'service-timeout', 'slow', 'hang', 'http-503', 'success'];
const KEEP = 500; // requests kept in the page
const POLL_MS = 700;
const TOKEN_KEY = 'idocr-mock-admin-token';
const APP_KEY = 'idocr-mock-app';
const MASKED = /^.{0,4}\.\.\.\(\d+\)$/;

const $ = (sel, root = document) => root.querySelector(sel);
const codes = new Map(); // code -> msg
const state = { entries: [], lastId: 0, selected: null, scenarios: [], stream: null, app: sessionStorage.getItem(APP_KEY) || '', apps: [] };
/** The admin route PATH for the app picked (`apps/{id}/PATH`), or the mock's own (every app). */
const scoped = (path) => (state.app ? `apps/${encodeURIComponent(state.app)}/${path}` : path);

// ---------- small DOM helpers ----------
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}
function showError(id, message) {
  const p = document.getElementById(id);
  p.textContent = message || '';
  p.hidden = !message;
}
function codeText(code) {
  if (code === null || code === undefined) return '';
  const msg = codes.get(String(code));
  return msg ? `${code} ${msg}` : String(code);
}

// ---------- the admin API ----------
class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}
function token() { return sessionStorage.getItem(TOKEN_KEY); }

/** Calls /__admin/PATH; resolves with the parsed JSON (or a Response when raw). 401 opens the prompt. */
async function api(path, { method = 'GET', body, raw = false, signal, headers = {} } = {}) {
  const h = { ...headers };
  if (token()) h.Authorization = `Bearer ${token()}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(ADMIN + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `the mock did not answer ${method} ${ADMIN}${path} (is it still running?): ${e.message}`);
  }
  if (r.status === 401) {
    askToken(token() ? 'The mock refused this token (wrong admin token). Enter the one it was started with.' : null);
    throw new ApiError(401, 'this mock needs its admin token: enter it in the prompt');
  }
  if (!r.ok) {
    let why = '';
    try { const j = await r.json(); why = j.error || JSON.stringify(j); } catch { why = r.statusText; }
    if (r.status === 404 && /no admin route/.test(why)) why = `this mock does not serve ${method} ${ADMIN}${path.split('?')[0]} (a newer idocr-mock does)`;
    throw new ApiError(r.status, `${method} ${ADMIN}${path.split('?')[0]} answered HTTP ${r.status}: ${why}`);
  }
  if (raw) return r;
  const text = await r.text();
  try { return JSON.parse(text); } catch { return text; }
}

// ---------- the token prompt ----------
function askToken(message) {
  const box = $('#token-prompt');
  showError('token-error', message);
  setStatus('waiting for the admin token', true);
  if (box.hidden) { box.hidden = false; $('#token-input').value = ''; $('#token-input').focus(); }
}
$('#token-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const value = $('#token-input').value.trim();
  sessionStorage.setItem(TOKEN_KEY, value);
  try {
    await api('scenario');
    $('#token-prompt').hidden = true;
    $('#forget-token').hidden = false;
    showError('token-error', null);
    if (started) { stream(); showView(); } else start();
  } catch (e) {
    if (e.status !== 401) showError('token-error', e.message);
  }
});
$('#forget-token').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });

// ---------- views ----------
function showView() {
  const view = (location.hash || '#requests').slice(1);
  for (const s of document.querySelectorAll('main > section')) s.hidden = s.dataset.view !== view;
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === view);
  const load = { outcome: loadOutcome, clock: loadClock, orders: loadOrders, images: loadImageForm }[view];
  if (load) load();
}
// A new view starts at its top, not at the scroll position of the one left (its help and first
// buttons would be out of sight).
window.addEventListener('hashchange', () => { window.scrollTo(0, 0); showView(); });
// New calls (seen in the stream) while the Orders or Clock view is open refresh its list of orders or
// of live tokens, at most once a second: a token fetched by the client shows up without a reload.
let refreshTimer = null;
function refreshViewSoon() {
  const load = !$('#view-orders').hidden ? loadOrders : !$('#view-clock').hidden ? loadTokens : null;
  if (!load || refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; load(); }, 1000);
}

// ---------- requests ----------
function filters() {
  const f = new FormData($('#filters'));
  return Object.fromEntries([...f.entries()].map(([k, v]) => [k, String(v).trim()]));
}
function passes(e, f) {
  return (!state.app || e.app_id === state.app) && (!f.path || e.path === f.path) && (!f.code || e.code === f.code) && (!f.app || e.app_id === f.app)
    && (!f.order || (e.order_no || '').includes(f.order)) && (!f.scenario || e.scenario === f.scenario);
}
function addEntries(list) {
  let added = false;
  for (const e of list) {
    if (typeof e.id !== 'number' || e.id <= state.lastId) continue;
    state.entries.push(e);
    state.lastId = e.id;
    added = true;
  }
  if (state.entries.length > KEEP) state.entries.splice(0, state.entries.length - KEEP);
  if (!added) return;
  renderRequests();
  refreshViewSoon();
  refreshAppsSoon();
}
function renderRequests() {
  const f = filters();
  const body = $('#requests tbody');
  const shown = state.entries.filter((e) => passes(e, f)).reverse();
  body.replaceChildren(...shown.map(row));
  $('#requests-empty').hidden = state.entries.length > 0;
  $('#requests-count').textContent = state.entries.length
    ? `${shown.length} of the ${state.entries.length} newest requests shown${state.app ? ` (app ${state.app} only: pick "all apps" above for every app)` : shown.length < state.entries.length ? ' (filtered)' : ''}` : '';
}
/** How a scenario was chosen, in words: the journal's `marker`, `header`, `queue`, `default`. */
function whyWords(why) {
  return (why || '?').replace(/\bmarker\b/, 'a marker in the uploaded image').replace(/\bheader\b/, 'the X-Idocr-Scenario header');
}
function row(e) {
  const status = e.abort ? `dropped (${e.abort})` : String(e.status ?? '');
  const failed = e.abort || (e.code && e.code !== '0') || e.status >= 400;
  const tr = el('tr', { class: `${failed ? 'bad' : 'good'}${state.selected === e.id ? ' selected' : ''}`, 'data-id': e.id, tabindex: 0,
    onclick: () => openRequest(e.id), onkeydown: (k) => { if (k.key === 'Enter') openRequest(e.id); } },
  el('td', { 'data-label': 'time' }, (e.time || '').slice(11, 23)),
  el('td', { 'data-label': 'path' }, `${e.method} ${e.path}`),
  el('td', { 'data-label': 'app' }, e.app_id || '–'),
  el('td', { 'data-label': 'orderNo' }, e.order_no || '–'),
  el('td', { 'data-label': 'HTTP' }, status),
  el('td', { 'data-label': 'code', class: 'code' }, e.code ? codeText(e.code) : '–', failed ? el('span', { class: 'why' }, ' why? ›') : null),
  el('td', { 'data-label': 'scenario' }, e.scenario ? `${e.scenario} (by ${whyWords(e.scenario_why)})` : '–'),
  el('td', { 'data-label': 'latency' }, typeof e.latency_ms === 'number' ? `${e.latency_ms.toFixed(1)} ms` : '–'));
  return tr;
}
$('#filters').addEventListener('input', renderRequests);
$('#filters').addEventListener('reset', () => setTimeout(renderRequests));

/** Splits the journal's sign reason (`sign refused: CAUSE; expected … sorted [V, …]; received "S"`,
 * then `; rule tried: ENDPOINT, …` naming the signed fields). */
function diagnosis(reason) {
  const m = /^sign refused: ([\s\S]*?); expected SHA1\(upper hex\) of the concatenation of sorted \[([\s\S]*)\]; received "([^"]*)"(?:; rule tried: ([\s\S]*))?$/.exec(reason || '');
  if (!m) return null;
  return { cause: m[1], sorted: m[2] ? m[2].split(', ') : [], received: m[3], rule: m[4] || null };
}

function openRequest(id) {
  const e = state.entries.find((x) => x.id === id);
  if (!e) return;
  state.selected = id;
  renderRequests();
  const d = $('#detail');
  d.hidden = false;
  d.replaceChildren(...[
    el('button', { type: 'button', class: 'close', 'aria-label': 'close', onclick: () => { d.hidden = true; state.selected = null; renderRequests(); } }, '×'),
    el('h3', {}, `#${e.id} ${e.method} ${e.path}`),
    el('p', { class: 'muted' }, `${e.time} · from ${e.host || '?'} · ${typeof e.latency_ms === 'number' ? e.latency_ms.toFixed(1) + ' ms' : ''}`),
    el('h4', {}, 'What the mock answered'),
    answer(e),
    sign(e),
    el('h4', {}, 'What was sent'),
    el('p', { class: 'help' }, 'Secrets, tokens and tickets are masked (first 4 characters, then the length); the image is kept as its size, format and SHA-256 only.'),
    sent(e),
    curlBlock(e)].filter((k) => k !== null && k !== undefined));
  d.scrollIntoView({ block: 'nearest' });
}
function answer(e) {
  const dl = el('dl', { class: 'kv' });
  const add = (k, v) => { if (v !== null && v !== undefined && v !== '') dl.append(el('dt', {}, k), el('dd', {}, v)); };
  add('HTTP status', e.abort ? `no answer: the connection was ${e.abort}`
    : e.status === 200 && e.code && e.code !== '0' ? '200 (the service answers its errors with HTTP 200: the code below says what went wrong)' : e.status);
  add('code', e.code ? codeText(e.code) : null);
  // A scenario is chosen as the call arrives; a refusal found later (sign, parameters) wins over it.
  const sc = state.scenarios.find((x) => x.name === e.scenario);
  const expected = sc ? sc.code || (sc.kind === 'success' ? '0' : null) : null;
  const refusedFirst = expected !== null && e.code && e.code !== expected;
  add('scenario', e.scenario ? `${e.scenario}, chosen by ${whyWords(e.scenario_why)}${!refusedFirst ? '' : e.scenario_why === 'queue' ? ' (taken from the queue by this call, but the call was refused before the scenario applied)' : ' (not applied: the call was refused first)'}` : null);
  if (!diagnosis(e.reason)) add('why', e.reason);
  return dl;
}
function sign(e) {
  const d = diagnosis(e.reason);
  if (!d) return null;
  const ticketAt = d.sorted.findIndex((v) => v.startsWith('<ticket '));
  return el('div', { class: 'diagnosis' },
    el('h4', {}, 'Why the sign was refused'),
    el('p', { class: 'cause' }, d.cause.charAt(0).toUpperCase() + d.cause.slice(1) + '.'),
    el('p', { class: 'help' }, 'The mock sorted these values in byte order (digits, then upper case, then lower case), joined them with no separator and took the SHA-1 in upper-case hex. Compare them one by one with what your code hashed.'),
    el('ol', { class: 'sorted' }, d.sorted.map((v, i) => el('li', { class: i === ticketAt ? 'ticket' : '' }, el('code', {}, v),
      i === ticketAt ? ' ← the SIGN ticket the mock expected (masked: its first 4 characters and its length)' : ''))),
    el('p', {}, 'Joined (with the ticket\'s full value where it says <ticket …>): ', el('code', { class: 'joined' }, d.sorted.join(''))),
    el('p', {}, 'Sign received: ', el('code', {}, d.received)),
    d.rule ? el('p', { class: 'help rule' }, 'Rule the mock applied: ' + d.rule + '.') : null);
}
function sent(e) {
  const dl = el('dl', { class: 'kv' });
  for (const [k, v] of Object.entries(e.query || {})) dl.append(el('dt', {}, `query ${k}`), el('dd', {}, value(v)));
  for (const [k, v] of Object.entries(e.headers || {})) dl.append(el('dt', {}, `header ${k}`), el('dd', {}, value(v)));
  const b = e.body;
  if (b && b.fields) for (const [k, v] of Object.entries(b.fields)) dl.append(el('dt', {}, k), el('dd', {}, value(v)));
  else if (b) dl.append(el('dt', {}, 'body'), el('dd', {}, `${b.bytes} bytes${b.json ? '' : ', not JSON'}`));
  if (e.unknown_fields) dl.append(el('dt', {}, 'fields the mock does not know'), el('dd', {}, e.unknown_fields.join(', ')));
  return dl;
}
function value(v) {
  if (v && typeof v === 'object' && 'sha256' in v) return `image: ${v.bytes} bytes, ${v.format || 'unknown format'}, SHA-256 ${v.sha256}`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A curl that repeats the call; masked values become shell variables the reader sets first. */
function curl(e) {
  const needs = [];
  const placeholder = (name, v) => {
    const varName = name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
    if (!needs.some((n) => n[0] === varName)) needs.push([varName, v]);
    return `$${varName}`;
  };
  const q = Object.entries(e.query || {}).map(([k, v]) => `${encodeURIComponent(k)}=${MASKED.test(v) ? placeholder(k, v) : encodeURIComponent(v)}`);
  const origin = location.origin;
  const url = `${origin}${e.path}${q.length ? '?' + q.join('&') : ''}`;
  const lines = [];
  let body = null;
  if (e.body && e.body.fields) {
    const parts = Object.entries(e.body.fields).map(([k, v]) => {
      if (v && typeof v === 'object') return `${JSON.stringify(k)}:"'"${placeholder(k, `${v.bytes} bytes of ${v.format || 'image'}, SHA-256 ${v.sha256}`)}"'"`;
      if (typeof v === 'string' && MASKED.test(v)) return `${JSON.stringify(k)}:"'"${placeholder(k, v)}"'"`;
      return `${JSON.stringify(k)}:${JSON.stringify(v).replace(/'/g, "'\\''")}`;
    });
    body = `'{${parts.join(',')}}'`;
  }
  for (const [n, was] of needs) {
    lines.push(n === 'IDCARDSTR'
      ? `${n}=$(base64 < card.png | tr -d '\\n')   # the image: the journal kept only its summary (${was})`
      : `${n}='…'   # masked in the journal (was ${was}); put the real value here`);
  }
  const cmd = [`curl -s -i ${e.method === 'GET' ? '' : `-X ${e.method} `}"${url}"`];
  const ct = (e.headers || {})['content-type'];
  if (ct) cmd.push(`  -H 'Content-Type: ${ct}'`);
  if (body) cmd.push(`  -d ${body}`);
  lines.push(cmd.join(' \\\n'));
  return lines.join('\n');
}
function curlBlock(e) {
  const text = curl(e);
  const note = el('span', { class: 'muted', role: 'status' });
  const pre = el('pre', { class: 'curl' }, text);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      note.textContent = ' copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(pre);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      note.textContent = ' the browser refused the clipboard: the command is selected, press Ctrl+C (⌘C)';
    }
  };
  return el('div', {}, el('h4', {}, 'Repeat this call'),
    el('button', { type: 'button', class: 'copy-curl', onclick: copy }, 'copy as curl'), note, pre);
}

// ---------- live: events stream, or polling when the mock has none ----------
async function loadRequests() {
  try {
    addEntries(await api(`requests?limit=${KEEP}`));
    showError('requests-error', null);
  } catch (e) {
    if (e.status !== 401) showError('requests-error', e.message);
    throw e;
  }
}
function setStatus(text, bad = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}
async function stream() {
  if (state.stream) return; // one live loop per page
  state.stream = new AbortController();
  try { await streamLoop(state.stream); } finally { state.stream = null; }
}
async function streamLoop(ctl) {
  for (;;) {
    let r;
    try {
      r = await api(`events?since=${state.lastId}`, { raw: true, signal: ctl.signal, headers: { 'Last-Event-ID': String(state.lastId), Accept: 'text/event-stream' } });
    } catch (e) {
      if (e.status === 404 || e.status === 405 || e.status === 503) return poll();
      if (e.status === 409) return setStatus(`no live updates: ${e.message}`, true);
      if (e.status === 401) return;
      setStatus(`live updates interrupted: ${e.message}; retrying in 2 s`, true);
      await sleep(2000);
      continue;
    }
    setStatus('live: new requests stream in as they arrive');
    try {
      await readEvents(r.body);
      setStatus('the event stream ended; reconnecting…', true);
    } catch (e) {
      setStatus(`the event stream broke (${e.message}); reconnecting…`, true);
    }
    await sleep(1000);
  }
}
/** Reads a text/event-stream body, handing each `request` event to addEntries. */
async function readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let cut;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
      let event = 'message'; const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      const payload = JSON.parse(data.join('\n'));
      if (event === 'request') addEntries([payload]);
      if (event === 'gap') setStatus(`live; ${payload.missed} requests were skipped here (more than 2,000 a second, or already dropped from the journal); GET /__admin/requests has those the journal still keeps`, true);
    }
    if (buf.length > 4 * 1024 * 1024) throw new Error('an event larger than 4 MiB');
  }
}
async function poll() {
  for (;;) {
    try {
      addEntries(await api(`requests?since=${state.lastId}`));
      setStatus(`live (asking every ${POLL_MS / 1000} s: this mock has no event stream)`);
    } catch (e) {
      if (e.status === 401) return;
      setStatus(`cannot reach the mock: ${e.message}; retrying`, true);
    }
    await sleep(POLL_MS);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- codes ----------
async function loadCodes() {
  try {
    const list = await api('codes');
    for (const c of list) codes.set(String(c.code), c.msg);
  } catch (e) {
    if (e.status !== 401) showError('requests-error', `The codes' texts are missing: ${e.message}`);
  }
}

// ---------- the next outcome ----------
async function loadScenarios() {
  try {
    const s = await api(scoped('scenarios'));
    state.scenarios = s.scenarios;
    for (const x of s.scenarios) if (x.code && x.msg && !codes.has(x.code)) codes.set(x.code, x.msg);
    renderOutcome(s.default, s.queue);
    // Under an app: whether the default is its own or the mock's it follows.
    $('#default-whose').textContent = !state.app ? '(the mock\'s default)'
      : s.follows_mock ? `(the mock's default: app ${state.app} has no setting of its own)` : `(app ${state.app}'s own default)`;
    $('#default-follow').hidden = !state.app || s.follows_mock;
    showError('outcome-error', null);
    return s;
  } catch (e) {
    showError('outcome-error', e.message);
  }
}
function renderOutcome(def, queue) {
  $('#default-name').textContent = def;
  const desc = (n) => (state.scenarios.find((x) => x.name === n) || {}).description || '';
  $('#quick').replaceChildren(...COMMON.filter((n) => state.scenarios.some((x) => x.name === n)).map((n) =>
    el('button', { type: 'button', title: desc(n), 'data-scenario': n, onclick: () => enqueue([n]) }, n)));
  $('#queue').replaceChildren(...queue.map((n, i) => el('li', {},
    el('span', {}, `${n} `), el('span', { class: 'muted' }, desc(n)),
    el('span', { class: 'buttons' },
      el('button', { type: 'button', 'aria-label': `move ${n} up`, disabled: i === 0, onclick: () => reorder(queue, i, i - 1) }, '↑'),
      el('button', { type: 'button', 'aria-label': `move ${n} down`, disabled: i === queue.length - 1, onclick: () => reorder(queue, i, i + 1) }, '↓'),
      el('button', { type: 'button', 'aria-label': `remove ${n}`, onclick: () => reorder(queue, i, -1) }, 'remove')))));
  $('#queue-empty').hidden = queue.length > 0;
  $('#queue-clear').disabled = queue.length === 0;
  renderScenarioList(def);
}
function renderScenarioList(def = $('#default-name').textContent) {
  const words = $('#scenario-search').value.trim().toLowerCase();
  const shown = state.scenarios.filter((x) => !words || `${x.name} ${x.kind} ${x.description} ${x.code || ''}`.toLowerCase().includes(words));
  $('#scenarios').replaceChildren(...shown.map((x) => el('li', { class: x.name === def ? 'current' : '', 'data-scenario': x.name },
    el('div', {}, el('strong', {}, x.name), el('span', { class: `kind ${x.kind}` }, x.kind), x.name === def ? el('span', { class: 'kind' }, 'default') : null),
    el('p', {}, x.description),
    el('div', { class: 'buttons' },
      el('button', { type: 'button', class: 'next-only', 'aria-label': `${x.name}: next call only`, onclick: () => enqueue([x.name]) }, 'next call only'),
      el('button', { type: 'button', class: 'make-default', 'aria-label': `${x.name}: make default`, disabled: x.name === def, onclick: () => setDefault(x.name) }, 'make default')))));
  if (!shown.length) $('#scenarios').append(el('li', { class: 'muted' }, `No scenario matches "${words}".`));
}
$('#scenario-search').addEventListener('input', () => renderScenarioList());
async function enqueue(names) {
  try {
    const r = await api(scoped('scenario/queue'), { method: 'POST', body: { scenarios: names } });
    renderOutcome($('#default-name').textContent, r.queue);
    showError('outcome-error', null);
  } catch (e) { showError('outcome-error', e.message); }
}
async function reorder(queue, from, to) {
  const next = [...queue];
  const [moved] = next.splice(from, 1);
  if (to >= 0) next.splice(to, 0, moved);
  try {
    // The queue API appends; a new order is written as clear + add.
    await api(scoped('scenario/queue'), { method: 'DELETE' });
    if (next.length) await api(scoped('scenario/queue'), { method: 'POST', body: { scenarios: next } });
  } catch (e) { showError('outcome-error', e.message); }
  loadScenarios();
}
$('#queue-clear').addEventListener('click', async () => {
  try { await api(scoped('scenario/queue'), { method: 'DELETE' }); } catch (e) { showError('outcome-error', e.message); }
  loadScenarios();
});
async function setDefault(name) {
  try {
    await api(scoped('scenario'), { method: 'PUT', body: { name } });
  } catch (e) { showError('outcome-error', e.message); }
  loadScenarios();
}
$('#default-follow').addEventListener('click', () => setDefault(null));

// ---------- the clock ----------
let clockBase = null; // {mockMs, at}
async function loadClock(body) {
  try {
    const c = await api(scoped('clock'), body ? { method: 'POST', body } : {});
    clockBase = { mockMs: Date.parse(c.now), at: Date.now(), tz: c.now.slice(-6) };
    const whose = !state.app ? '' : c.follows_mock ? `; app ${state.app} follows the mock's clock` : `; app ${state.app}'s own clock`;
    $('#clock-offset').textContent = `${c.real_time ? '(real time' : `(${formatSpan(c.offset_ms / 1000)} ${c.offset_ms >= 0 ? 'ahead of' : 'behind'} real time`}${whose})`;
    tickClock();
    showError('clock-error', null);
  } catch (e) { showError('clock-error', e.message); }
  loadTokens();
}
function mockNow() { return clockBase ? clockBase.mockMs + (Date.now() - clockBase.at) : Date.now(); }
function tickClock() {
  if (!clockBase) return;
  const tz = clockBase.tz;
  const sign = tz[0] === '-' ? -1 : 1;
  const shift = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60000;
  $('#clock-now').textContent = new Date(mockNow() + shift).toISOString().slice(0, 19).replace('T', ' ') + ` (UTC${tz})`;
  for (const t of document.querySelectorAll('[data-expires]')) {
    const left = (Date.parse(t.dataset.expires) - mockNow()) / 1000;
    t.textContent = left > 0 ? `${formatSpan(left)} left` : 'expired';
  }
}
setInterval(tickClock, 1000);
function formatSpan(s) {
  s = Math.abs(Math.round(s));
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  return [d && `${d} d`, h && `${h} h`, m && `${m} min`, (sec || s === 0) && `${sec} s`].filter(Boolean).join(' ');
}
$('#clock-presets').addEventListener('click', (ev) => {
  const b = ev.target.closest('button');
  if (!b) return;
  loadClock(b.id === 'clock-reset' ? { reset: true } : { advance_seconds: Number(b.dataset.advance) });
});
$('#clock-set').addEventListener('submit', (ev) => { ev.preventDefault(); loadClock({ set: $('#clock-set-value').value.trim() }); });
const left = (at) => (at ? el('span', { 'data-expires': at }, '') : el('span', {}, 'never expires (--tickets-never-expire)'));
async function loadTokens() {
  try {
    const t = await api(scoped('tokens'));
    $('#tokens').replaceChildren(...t.apps.map((a) => el('div', { class: 'app' },
      el('h4', {}, `app ${a.app_id}`),
      el('p', { class: 'muted' }, `static SIGN tickets (never expire): ${(a.static_sign_tickets || []).join(', ') || 'none'}`),
      a.tokens.length ? el('ul', {}, a.tokens.map((k) => el('li', {},
        `access token ${k.token} — ${k.state}, `, left(k.expires_at),
        el('ul', {}, k.tickets.map((x) => el('li', {}, `${x.kind} ticket ${x.ticket}${x.user_id ? ` for user ${x.user_id}` : ''} — ${x.state}, `,
          left(x.expires_at))))))) : el('p', { class: 'muted' }, 'No token issued yet: your client has not called /api/oauth2/access_token.'))));
    tickClock();
    showError('tokens-error', null);
  } catch (e) { showError('tokens-error', e.message); }
}

// ---------- orders ----------
async function loadOrders() {
  try {
    const list = await api(scoped('orders?limit=50'));
    $('#orders').replaceChildren(...list.orders.map((o) => el('li', {},
      el('button', { type: 'button', class: 'link', onclick: () => openOrder(o.order_no, o.app_id) }, o.order_no),
      ` ${o.app_id} · ${o.bank && !o.front && !o.back ? '' : `front ${o.front ? codeText(o.front.code) : 'not sent'} · back ${o.back ? codeText(o.back.code) : 'not sent'} · `}${o.bank ? `bank card ${codeText(o.bank.code)} · ` : ''}${o.updated || ''}`)));
    if (!list.orders.length) $('#orders').append(el('li', { class: 'muted' }, `No order stored yet${state.app ? ` for app ${state.app}` : ''}: every OCR call that is recognised stores its side here.`));
    showError('orders-error', null);
  } catch (e) { showError('orders-error', `${e.message}. You can still open an order by its orderNo above.`); }
}
$('#order-open').addEventListener('submit', (ev) => { ev.preventDefault(); openOrder($('#order-input').value.trim()); });
async function openOrder(orderNo, app) {
  const box = $('#order');
  try {
    const o = await api(scoped(`orders/${encodeURIComponent(orderNo)}?images=1${app && !state.app ? `&app_id=${encodeURIComponent(app)}` : ''}`));
    // An order of bank-card calls only shows its bank card; one with ID-card sides shows them beside it.
    const idSides = o.bank && !o.front && !o.back ? [] : [side('front (人像面)', o.front), side('back (国徽面)', o.back)];
    box.replaceChildren(el('h3', {}, `order ${o.order_no} (app ${o.app_id})`),
      el('div', { class: 'sides' }, ...idSides, o.bank ? side('bank card (银行卡)', o.bank) : null));
    box.hidden = false;
    showError('orders-error', null);
    loadOrders();
  } catch (e) { box.hidden = true; showError('orders-error', e.message); }
}
function side(title, s) {
  if (!s) return el('div', { class: 'side' }, el('h4', {}, title), el('p', { class: 'muted' }, 'not sent for this order'));
  const mime = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', bmp: 'image/bmp' }[s.image.format] || 'application/octet-stream';
  const dl = el('dl', { class: 'kv' });
  const add = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  add('code', codeText(s.code));
  for (const [k, v] of Object.entries(s.fields || {})) add(k, v);
  add('warning', s.warning); add('multiWarning', s.multi_warning); add('clarity', s.clarity); add('time', s.time);
  add('image', `${s.image.bytes} bytes, ${s.image.format}, SHA-256 ${s.image.sha256}`);
  return el('div', { class: 'side' }, el('h4', {}, title),
    s.image.base64 ? el('img', { class: 'thumb', alt: `${title} as uploaded`, src: `data:${mime};base64,${s.image.base64}` }) : null, dl);
}

// ---------- images for a device ----------
async function loadImageForm() {
  if (!state.scenarios.length) await loadScenarios();
  const sel = $('#image-scenario');
  if (sel.options.length) return;
  imageOptions();
}
/** The scenarios a picture of the chosen side can carry: bank-card ones for a bank card, ID-card ones otherwise. */
function imageOptions() {
  const sel = $('#image-scenario');
  const kept = sel.value;
  const doc = $('#image-side').value === 'bank' ? 'bankcard' : 'idcard';
  sel.replaceChildren(...state.scenarios.filter((x) => x.kind !== 'mix' && (!x.document || x.document === 'any' || x.document === doc))
    .map((x) => el('option', { value: x.name }, `${x.name} — ${x.description}`)));
  if ([...sel.options].some((o) => o.value === kept)) sel.value = kept;
}
$('#image-side').addEventListener('change', imageOptions);
let imageUrl = null;
$('#image-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const [scenario, side, format] = ['#image-scenario', '#image-side', '#image-format'].map((s) => $(s).value);
  try {
    const r = await api(`image?scenario=${encodeURIComponent(scenario)}&side=${side}&format=${format}`, { raw: true });
    if (imageUrl) URL.revokeObjectURL(imageUrl);
    imageUrl = URL.createObjectURL(await r.blob());
    $('#image-preview').src = imageUrl;
    const a = $('#image-download');
    a.href = imageUrl;
    a.download = `idocr-mock-${scenario}-${side}.${format === 'jpeg' ? 'jpg' : 'png'}`;
    a.textContent = `download ${a.download}`;
    $('#image-result').hidden = false;
    showError('image-error', null);
  } catch (e) { $('#image-result').hidden = true; showError('image-error', e.message); }
});

// ---------- apps: the picker scopes the per-app views ----------
async function loadApps() {
  try {
    const list = await api('apps');
    state.apps = list.apps;
    const sel = $('#app-pick');
    sel.replaceChildren(el('option', { value: '' }, "all apps / the mock's defaults"),
      ...list.apps.map((a) => el('option', { value: a.id }, `${a.id} (${a.origin === 'configured' ? 'configured' : 'made at run time'})`)));
    if (state.app && !list.apps.some((a) => a.id === state.app)) {
      showError('apps-error', `app ${state.app} is gone (deleted, or past its idle life): the page shows all apps again`);
      pickApp('');
    }
    sel.value = state.app;
    renderScope();
  } catch (e) {
    if (e.status !== 401) showError('apps-error', `The list of apps is missing: ${e.message}`);
  }
}
// New calls in the stream refresh the list at most once a second (an app made by a CI job shows up).
let appsTimer = null;
function refreshAppsSoon() {
  if (appsTimer) return;
  appsTimer = setTimeout(() => { appsTimer = null; loadApps(); }, 1000);
}
function pickApp(id) {
  state.app = id;
  if (id) sessionStorage.setItem(APP_KEY, id); else sessionStorage.removeItem(APP_KEY);
  $('#app-pick').value = id;
  renderScope();
  renderRequests();
  showView();
}
/** Says in words which apps a change made on the page applies to. */
function renderScope() {
  const a = state.app;
  const app = state.apps.find((x) => x.id === a);
  $('#app-scope').textContent = a ? `the views show app ${a} alone; a change applies to app ${a} only`
    : "the views show every app; a change sets the mock's defaults, for every app without its own setting";
  $('#outcome-scope').textContent = a
    ? `Scope: app ${a} only. "next call only" queues for the next OCR call of app ${a} only, and "make default" sets ${a}'s own default; no other app is affected.`
    : 'Scope: the mock\'s defaults. They apply to every app without its own setting: an app with its own default or queue (set with the app picker above) never takes them.';
  $('#next-who').textContent = a ? `the next OCR call of app ${a}` : 'the next OCR call of any app without its own setting';
  $('#clock-scope').textContent = a
    ? `Scope: app ${a} only. The buttons move app ${a}'s own clock; "follow the mock's clock again" undoes that.`
    : "Scope: the mock's clock. The buttons move it for every app whose own clock was never moved.";
  $('#clock-reset').textContent = a ? "follow the mock's clock again" : 'back to real time';
  const del = $('#app-delete');
  del.hidden = !app || app.origin === 'configured';
  del.textContent = `delete app ${a}`;
  delete del.dataset.armed;
}
$('#app-pick').addEventListener('change', (ev) => { showError('apps-error', null); pickApp(ev.target.value); });
$('#app-pick').addEventListener('focus', () => loadApps());
$('#app-new').addEventListener('click', async () => {
  try {
    const a = await api('apps', { method: 'POST', body: {} });
    const made = $('#app-made');
    made.textContent = `Made app ${a.id}: secret ${a.secret}, SIGN ticket ${a.sign_tickets[0]} (shown once: the listings mask them). ${a.ttl_seconds ? `It is removed after ${formatSpan(a.ttl_seconds)} without a call.` : ''}`;
    made.hidden = false;
    showError('apps-error', null);
    await loadApps();
    pickApp(a.id);
  } catch (e) { showError('apps-error', e.message); }
});
$('#app-delete').addEventListener('click', async (ev) => {
  const b = ev.target;
  // Two clicks: the first asks, the second deletes (no browser dialog, which a phone may hide).
  if (!b.dataset.armed) { b.dataset.armed = '1'; b.textContent = `really delete app ${state.app} and all it owns? click again`; return; }
  try {
    await api(`apps/${encodeURIComponent(state.app)}`, { method: 'DELETE' });
    $('#app-made').hidden = true;
    pickApp('');
    await loadApps();
  } catch (e) { showError('apps-error', e.message); }
});

// ---------- face verification: the face default and queue, of the picked app or the mock's ----------
function loadOutcome() { loadScenarios(); loadFace(); }
async function loadFace() {
  try {
    const f = await api(scoped('face/scenarios'));
    const pick = $('#face-pick');
    if (pick.options.length < 2) {
      pick.append(...f.scenarios.map((x) => el('option', { value: x.name, title: x.description }, `${x.name} (${x.code})`)));
    }
    pick.value = f.default || '';
    $('#face-now').textContent = f.default || (state.app && f.follows_mock !== false ? "none of its own (it follows the mock's)" : 'none (the person chooses on the face page)');
    $('#face-queue').textContent = f.queue.length ? f.queue.join(', ') : 'empty: logins get the face default';
    $('#face-quick').replaceChildren(...f.scenarios.map((x) => el('button', { type: 'button', 'data-face': x.name, title: x.description,
      onclick: () => faceCall(scoped('face/queue'), 'POST', { scenarios: [x.name] }) }, `${x.name}: next face login`)));
    showError('face-error', null);
  } catch (e) { showError('face-error', e.message); }
}
async function faceCall(path, method, body) {
  try { await api(path, { method, body }); } catch (e) { showError('face-error', e.message); return; }
  loadFace();
}
$('#face-default').addEventListener('submit', (ev) => { ev.preventDefault(); faceCall(scoped('face/scenario'), 'PUT', { name: $('#face-pick').value || null }); });

// ---------- start ----------
let started = false;
async function start() {
  if (started) return;
  try {
    await loadRequests();
  } catch (e) {
    if (e.status !== 401) { setStatus(`cannot reach the mock: ${e.message}; retrying`, true); setTimeout(start, 2000); }
    return;
  }
  started = true;
  $('#forget-token').hidden = !token();
  await Promise.all([loadApps(), loadScenarios(), loadCodes()]);
  renderRequests();
  showView();
  stream();
}
$('#filters [name=path]').append(...VENDOR_PATHS.map((p) => el('option', { value: p }, p)));
showView();
start();
