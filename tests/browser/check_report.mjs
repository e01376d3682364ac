// check_report.mjs: loads parity report pages in a real browser (Debian's headless Chromium,
// driven over the DevTools protocol by puppeteer-core, which downloads no browser) and fails on
// what a reader would see broken:
//   - any console error, uncaught exception or failed request (a missing file, a bad data: URI);
//   - any <img> that did not decode (naturalWidth 0);
//   - a chart that does not render: every inline <svg> must have a non-empty box and draw
//     something (a path, line, polyline, rect or text with a non-empty bounding box), and the page
//     must inline as many charts as its run directory has charts/*.svg;
//   - a colour scheme that does not apply: each page is loaded twice, prefers-color-scheme light
//     and dark, and the page background must differ between the two (dark must be dark).
// usage: node check_report.mjs [--chromium PATH] [--screenshots DIR] PAGE_OR_DIR...
//   A directory is searched (recursively, depth 3) for *.html files. Exit 0 every page passed,
//   1 a page failed (each problem printed as "FAIL page [scheme]: what"), 2 usage, 3 no browser.
import { existsSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const LOAD_TIMEOUT_MS = 30000;
const MAX_PAGES = 200;

function usage(msg) {
  console.error(`check_report: ${msg}\nusage: node check_report.mjs [--chromium PATH] [--screenshots DIR] PAGE_OR_DIR...`);
  process.exit(2);
}

function collect(path, depth, out) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith('.html')) out.push(resolve(path));
    return;
  }
  if (!st.isDirectory() || depth > 3) return;
  for (const e of readdirSync(path).sort()) {
    if (e === 'node_modules') continue;
    collect(join(path, e), depth + 1, out);
  }
}

let chromium = process.env.PARITY_CHROMIUM || '/usr/bin/chromium';
let shots = null;
const inputs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--chromium') chromium = argv[++i] ?? usage('--chromium needs a path');
  else if (argv[i] === '--screenshots') shots = argv[++i] ?? usage('--screenshots needs a directory');
  else if (argv[i].startsWith('-')) usage(`unknown option ${argv[i]}`);
  else inputs.push(argv[i]);
}
if (inputs.length === 0) usage('no page or directory given');
const pages = [];
for (const p of inputs) {
  if (!existsSync(p)) usage(`${p}: no such file or directory`);
  collect(p, 0, pages);
}
if (pages.length === 0) usage(`no .html page under ${inputs.join(' ')}`);
if (pages.length > MAX_PAGES) usage(`${pages.length} pages (over ${MAX_PAGES})`);
if (!existsSync(chromium)) {
  console.error(`check_report: ${chromium} not found (apt-get install chromium; scripts/bootstrap does)`);
  process.exit(3);
}
if (shots) mkdirSync(shots, { recursive: true });

// Runs in the page: what is broken about the images and charts, and the background colour.
function inspect() {
  const problems = [];
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) problems.push(`broken image ${img.src.slice(0, 80)}`);
  }
  const charts = [...document.querySelectorAll('svg')].filter((s) => !s.parentElement.closest('svg'));
  charts.forEach((svg, i) => {
    const r = svg.getBoundingClientRect();
    const name = svg.getAttribute('aria-label') || svg.querySelector('title')?.textContent || `svg #${i + 1}`;
    if (!(r.width > 0 && r.height > 0)) {
      problems.push(`chart "${name}" has an empty box (${r.width}x${r.height})`);
      return;
    }
    let drawn = 0;
    for (const el of svg.querySelectorAll('path, line, polyline, polygon, rect, text, circle')) {
      const b = el.getBBox();
      if (b.width > 0 || b.height > 0) drawn++;
    }
    if (drawn < 3) problems.push(`chart "${name}" draws ${drawn} visible shapes`);
  });
  return { problems, charts: charts.length, bg: getComputedStyle(document.body).backgroundColor };
}

function luminance(css) {
  const m = css.match(/\d+(\.\d+)?/g);
  if (!m || m.length < 3) return -1;
  const [r, g, b] = m.slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

function chartFiles(page) {
  const dir = join(dirname(page), 'charts');
  if (!existsSync(dir)) return -1;
  return readdirSync(dir).filter((f) => f.endsWith('.svg')).length;
}

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  // --no-sandbox: CI and this machine run as root, where Chromium refuses its sandbox.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
let failures = 0;
try {
  for (const page of pages) {
    const bgs = {};
    for (const scheme of ['light', 'dark']) {
      const tab = await browser.newPage();
      const problems = [];
      tab.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      tab.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
      tab.on('requestfailed', (r) => problems.push(`request failed: ${r.url().slice(0, 100)} (${r.failure()?.errorText})`));
      tab.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url().slice(0, 100)}`); });
      await tab.setViewport({ width: 1280, height: 900 });
      await tab.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      try {
        await tab.goto(pathToFileURL(page).href, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
        const r = await tab.evaluate(inspect);
        problems.push(...r.problems);
        const want = chartFiles(page);
        if (want >= 0 && r.charts !== want) problems.push(`${r.charts} charts in the page, ${want} in charts/`);
        bgs[scheme] = r.bg;
        if (shots) {
          const tag = `${basename(dirname(page))}-${basename(page, '.html')}-${scheme}.png`;
          await tab.screenshot({ path: join(shots, tag), fullPage: true });
        }
        console.log(`${problems.length ? 'FAIL' : 'ok  '} ${page} [${scheme}]: ${r.charts} charts, background ${r.bg}`);
      } catch (e) {
        problems.push(`did not load: ${e.message}`);
      }
      for (const p of problems) console.log(`FAIL ${page} [${scheme}]: ${p}`);
      failures += problems.length;
      await tab.close();
    }
    if (bgs.light && bgs.dark) {
      const l = luminance(bgs.light), d = luminance(bgs.dark);
      if (!(l > 0.5 && d < 0.5)) {
        console.log(`FAIL ${page}: light/dark backgrounds ${bgs.light} / ${bgs.dark} (dark mode does not apply)`);
        failures++;
      }
    }
  }
} finally {
  await browser.close();
}
console.log(`check_report: ${pages.length} page(s), ${failures} problem(s)`);
process.exit(failures ? 1 : 0);
