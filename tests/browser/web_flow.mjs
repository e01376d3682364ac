// web_flow.mjs: the web app of contract section 7 driven by a real browser (Debian's headless
// Chromium through puppeteer-core, which downloads no browser), as a person would use it:
//   register -> publish -> comment -> edit -> delete -> logout
// on every target, typing into the forms and clicking their buttons (so the CSRF input, the 303s,
// the session cookie and the flash messages all go through the browser's own handling). After
// each page it checks what a reader would see (the flash, the nav, the title, the comment) and
// saves a screenshot: DIR/TARGET/NN-step.png. Any console error, uncaught exception or failed
// request on a page is a failure too.
//
// Targets are started with `parity serve TARGET --stdin` (one at a time; closing its stdin stops
// it), so they run exactly as `parity check` runs them; --url drives a server that already runs.
//
// usage: node web_flow.mjs [--parity PATH] [--chromium PATH] [--out DIR] [--url URL] [TARGET...]
//   no TARGET and no --url: quill flask django fastapi express.
// exit: 0 every flow passed, 1 a flow failed ("FAIL target step: what"), 2 usage, 3 no browser or
// a target that did not start.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import puppeteer from 'puppeteer-core';

const NAV_TIMEOUT_MS = 15000;   // one page load or form submission
const START_TIMEOUT_MS = 90000; // parity serve: requires + start-up + readiness
const SERVE_FOR_S = 600;        // a bound on each served target even if this script dies

function usage(msg) {
  console.error(`web_flow: ${msg}\nusage: node web_flow.mjs [--parity PATH] [--chromium PATH] [--out DIR] [--url URL] [TARGET...]`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let chromium = process.env.PARITY_CHROMIUM || '/usr/bin/chromium';
let parity = process.env.PARITY_BIN || '';
let out = '';
let url = '';
const targets = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--chromium') chromium = argv[++i] ?? usage('--chromium needs a path');
  else if (a === '--parity') parity = argv[++i] ?? usage('--parity needs a path');
  else if (a === '--out') out = argv[++i] ?? usage('--out needs a directory');
  else if (a === '--url') url = argv[++i] ?? usage('--url needs a URL');
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else targets.push(a);
}
if (url && targets.length > 1) usage('--url drives one server: name at most one target (its label)');
if (!url && !targets.length) targets.push('quill', 'flask', 'django', 'fastapi', 'express');
if (!url && !parity) usage('--parity PATH (or PARITY_BIN) is needed to start targets');
if (!existsSync(chromium)) {
  console.error(`web_flow: ${chromium} not found (apt-get install chromium; scripts/bootstrap does)`);
  process.exit(3);
}

// Starts `parity serve NAME --stdin`; resolves { url, stop } once it prints the URL.
function serve(name) {
  return new Promise((ok, ko) => {
    const child = spawn(parity, ['serve', name, '--stdin', '--for', String(SERVE_FOR_S)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGTERM'); ko(new Error(`no URL within ${START_TIMEOUT_MS} ms\n${stderr}`)); }, START_TIMEOUT_MS);
    const exited = new Promise((r) => child.on('exit', (code) => r(code)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok({
        url: line.trim(),
        stderr: () => stderr,
        stop: async () => { child.stdin.end(); return exited; },
      });
    });
    child.on('exit', (code) => { clearTimeout(timer); ko(new Error(`parity serve exited ${code}\n${stderr}`)); });
  });
}

class FlowError extends Error {}

// One target's flow. Throws FlowError naming the step; returns the number of pages checked.
async function flow(browser, base, label, shots) {
  const page = await browser.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT_MS);
  const problems = [];
  // "Failed to load resource" console lines are covered by the response check below, which
  // names the URL and leaves out /favicon.ico (browsers ask for it; the contract has none).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (r.status() >= 400 && r.request().resourceType() !== 'document' && u.pathname !== '/favicon.ico')
      problems.push(`${r.request().resourceType()} ${u.pathname} answered ${r.status()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  let step = 'start', n = 0;
  const fail = (what) => { throw new FlowError(`${step}: ${what}`); };
  const path = () => new URL(page.url()).pathname;
  const text = (sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
  const one = async (sel) => (await text(sel))[0];
  // After each page: no browser-side problem, the expected path and flash, then a screenshot.
  const landed = async (wantPath, flash) => {
    if (problems.length) fail(problems.join('; '));
    const p = path();
    if (wantPath instanceof RegExp ? !wantPath.test(p) : p !== wantPath)
      fail(`landed on ${page.url()}, expected ${wantPath}`);
    const flashes = await text('div.flash');
    if (flash !== undefined && (flashes.length !== 1 || flashes[0] !== flash))
      fail(`flash messages ${JSON.stringify(flashes)}, expected exactly ["${flash}"]`);
    if (flash === undefined && flashes.length) fail(`unexpected flash ${JSON.stringify(flashes)}`);
    n++;
    await page.screenshot({ path: join(shots, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
  const go = async (p) => {
    const r = await page.goto(base + p, { waitUntil: 'load' });
    if (!r || r.status() !== 200) fail(`GET ${p} answered ${r ? r.status() : 'nothing'}`);
  };
  // Fills the form whose action is `action` and clicks its submit button (Enter in the last field
  // when it has none), waiting for the page it leads to.
  const submit = async (action, fields = {}) => {
    const form = `form[action="${action}"]`;
    if (!(await page.$(form))) fail(`no <form action="${action}"> on ${page.url()}`);
    for (const [name, value] of Object.entries(fields)) {
      const sel = `${form} [name="${name}"]`;
      const el = await page.$(sel);
      if (!el) fail(`no field "${name}" in ${form}`);
      await el.evaluate((e) => { e.value = ''; });
      await el.type(value);
    }
    const button = await page.$(`${form} button:not([type=button]):not([type=reset]), ${form} input[type=submit]`);
    const nav = page.waitForNavigation({ waitUntil: 'load' });
    if (button) await button.click();
    else await page.$eval(form, (f) => f.requestSubmit());
    const r = await nav;
    if (!r || r.status() !== 200) fail(`after submitting ${form}: status ${r ? r.status() : 'none'} at ${page.url()}`);
  };

  const id = `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const user = `web-${id}`, title = `A browser's <b>first</b> post ${id}`;

  step = 'home';
  await go('/');
  await landed('/');
  if (!(await page.$('nav a[href="/login"]')) || !(await page.$('nav a[href="/register"]')))
    fail('the signed-out nav does not link /login and /register');

  step = 'register';
  await go('/register');
  await submit('/register', { username: user, email: `${user}@example.com`, password: 'correct-horse-9' });
  await landed('/', 'Signed in.');
  if ((await one('nav span.user')) !== user) fail(`nav shows ${await one('nav span.user')}, expected ${user}`);

  step = 'publish';
  await go('/editor');
  await submit('/editor', { title, description: 'seen through Chromium', body: 'Line one & <i>two</i>', tags: 'web browser' });
  await landed(/^\/article\/[^/]+$/, 'Article published.');
  const slug = path().split('/').pop();
  if ((await one('h1')) !== title) fail(`<h1> is ${JSON.stringify(await one('h1'))}, expected ${JSON.stringify(title)}`);
  if (!(await one('div.body'))?.includes('Line one & <i>two</i>')) fail('the body is not shown verbatim (escaped)');
  if ((await text('ul.tags li')).join(' ') !== 'browser web') fail(`tags ${JSON.stringify(await text('ul.tags li'))}, expected browser, web`);

  step = 'comment';
  await submit(`/article/${slug}/comments`, { body: `Nice one, ${user}!` });
  await landed(`/article/${slug}`);
  const hash = new URL(page.url()).hash;
  if (!/^#comment-\d+$/.test(hash)) fail(`the redirect's fragment is "${hash}", expected #comment-ID`);
  const comments = await text(`li.comment${hash}`);
  if (!comments.length || !comments[0].includes(`Nice one, ${user}!`)) fail(`${hash} does not show the comment`);

  step = 'edit';
  const edit = await page.$(`a[href="/editor/${slug}"]`);
  if (edit) {
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), edit.click()]);
  } else {
    await go(`/editor/${slug}`);
  }
  const prefilled = await page.$eval(`form[action="/editor/${slug}"] [name="title"]`, (e) => e.value).catch(() => null);
  if (prefilled !== title) fail(`the editor's title is ${JSON.stringify(prefilled)}, expected the article's`);
  await submit(`/editor/${slug}`, { title: `${title} (edited)` });
  await landed(`/article/${slug}`, 'Article updated.');
  if ((await one('h1')) !== `${title} (edited)`) fail(`<h1> is ${JSON.stringify(await one('h1'))} after the edit`);
  if (!(await text('li.comment')).some((c) => c.includes(`Nice one, ${user}!`))) fail('the comment is gone after the edit');

  step = 'delete';
  await submit(`/article/${slug}/delete`);
  await landed('/', 'Article deleted.');
  if (await page.$(`a[href="/article/${slug}"]`)) fail('the home page still links the deleted article');
  const gone = await page.goto(`${base}/article/${slug}`);
  if (gone.status() !== 404) fail(`GET /article/${slug} after the delete answered ${gone.status()}, expected 404`);
  problems.length = 0; // the 404 itself is not a page problem
  await go('/');

  step = 'logout';
  await submit('/logout');
  await landed('/', 'Signed out.');
  if (await page.$('nav span.user')) fail('still signed in after logout');
  if (!(await page.$('nav a[href="/login"]'))) fail('the signed-out nav has no /login link');

  step = 'signed-out';
  const r = await page.goto(`${base}/editor`, { waitUntil: 'load' });
  if (!r || r.status() !== 200) fail(`GET /editor signed out ended with ${r ? r.status() : 'nothing'}`);
  if (path() !== '/login') fail(`GET /editor signed out landed on ${page.url()}, expected /login?next=/editor`);
  const next = new URL(page.url()).searchParams.get('next');
  if (next !== '/editor') fail(`next is ${JSON.stringify(next)}, expected "/editor"`);
  await landed('/login');
  await page.close();
  return n;
}

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  // --no-sandbox: CI and this machine run as root, where Chromium refuses its sandbox.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
let failures = 0, envErrors = 0;
try {
  for (const name of url ? [targets[0] || 'url'] : targets) {
    const shots = resolve(out || 'web-screenshots', name);
    mkdirSync(shots, { recursive: true });
    let server = null;
    try {
      server = url ? { url, stop: async () => 0, stderr: () => '' } : await serve(name);
    } catch (e) {
      console.error(`FAIL ${name} start: ${e.message}`);
      envErrors++;
      continue;
    }
    const t0 = Date.now();
    try {
      const pages = await flow(browser, server.url.replace(/\/$/, ''), name, shots);
      console.log(`ok   ${name}: ${pages} pages in ${((Date.now() - t0) / 1000).toFixed(1)} s, screenshots in ${shots}`);
    } catch (e) {
      failures++;
      console.error(`FAIL ${name} ${e instanceof FlowError ? e.message : `error: ${e.stack || e}`}`);
    } finally {
      const code = await server.stop();
      if (code) { console.error(`FAIL ${name} stop: parity serve exited ${code}\n${server.stderr()}`); failures++; }
    }
  }
} finally {
  await browser.close();
}
console.log(`web_flow: ${failures} failure(s), ${envErrors} target(s) not started`);
process.exit(failures ? 1 : envErrors ? 3 : 0);
