// The browser test's harness: the environment browser_e2e.sh exports, one
// Chromium for every page group, checks counted for the closing line, and
// helpers (API reads, screenshots, axe-core, sign-in, bounded polling).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const env = process.env;
const { CHROMIUM, RESULTS, WEB, BASE } = env;
const require = createRequire(join(WEB, 'package.json'));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const PATIENCE = 20_000; // a guard against hanging, never a measure of speed

export const counts = { passed: 0, failed: 0 };
export function check(what, ok, detail = '') {
  if (ok) { counts.passed++; console.log(`ok   ${what}`); } else { counts.failed++; console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`); }
}

export async function apiGet(path, token) {
  const response = await fetch(BASE + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}

export const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
export const cspViolations = [];
export const axeResults = {};
export const last = { page: null };

export async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Europe/London', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(PATIENCE);
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`); });
  last.page = page;
  page.on('console', (m) => { if (m.type() === 'error') console.log(`  console: ${m.text()}`); });
  page.on('pageerror', (e) => cspViolations.push(`${page.url()}: page error ${e.message}`));
  return page;
}


// Polls `predicate` in the page (through the DevTools protocol, so the page's
// CSP, which forbids eval, does not apply) until it holds; bounded by PATIENCE.
export async function until(page, predicate, arg) {
  const deadline = Date.now() + PATIENCE;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${predicate.toString().slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

export async function axe(page, name) {
  await page.evaluate(AXE); // through the DevTools protocol: not an inline script, the CSP stays as served
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeResults[name] = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  check(`axe finds no serious violation on ${name}`, bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length})`).join(', '));
}

export async function signIn(page, token) {
  await page.goto(`${BASE}/login`);
  await page.fill('#token', token);
  await page.click('form button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
