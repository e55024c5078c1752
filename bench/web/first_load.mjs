// Measures the national dashboard's first load with an empty cache: time from
// navigation to the map drawn (ECharts' `finished`, marked data-drawn on the
// map), bytes transferred over the wire (compressed, headers included, as the
// DevTools protocol counts them), JavaScript transferred, and the largest
// JavaScript file (compressed and uncompressed). Prints one JSON line per run
// and one with the medians (bench/README.md's format).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const { BASE, CHROMIUM, WEB, NATIONAL, RUNS } = process.env;
const require = createRequire(join(WEB, 'package.json'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const runs = [];
for (let i = 0; i < Number(RUNS || 5); i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Signed in as the sign-in screen leaves it (the token in sessionStorage), so only the dashboard is timed.
  await context.addInitScript((token) => sessionStorage.setItem('osh.token', token), NATIONAL);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const requests = new Map();
  let transferred = 0;
  cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, { url: e.response.url, type: e.type, decoded: 0 }));
  cdp.on('Network.dataReceived', (e) => { const r = requests.get(e.requestId); if (r) r.decoded += e.dataLength; });
  cdp.on('Network.loadingFinished', (e) => {
    transferred += e.encodedDataLength;
    const r = requests.get(e.requestId);
    if (r) r.encoded = e.encodedDataLength;
  });
  const start = Date.now();
  await page.goto(`${BASE}/national`);
  await page.waitForSelector('#province-map[data-drawn]', { timeout: 60_000 });
  const mapDrawnMs = Date.now() - start;
  const navigation = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  await page.waitForLoadState('networkidle');
  const scripts = [...requests.values()].filter((r) => r.type === 'Script');
  const largest = scripts.reduce((a, b) => (b.decoded > (a?.decoded ?? 0) ? b : a), null);
  runs.push({
    bench: 'web.national_first_load',
    map_drawn_ms: mapDrawnMs,
    dom_content_loaded_ms: Math.round(navigation.domContentLoadedEventEnd),
    transferred_kib: +(transferred / 1024).toFixed(1),
    requests: requests.size,
    js_transferred_kib: +(scripts.reduce((s, r) => s + (r.encoded ?? 0), 0) / 1024).toFixed(1),
    largest_js: largest?.url.split('/').pop(),
    largest_js_kib: +((largest?.decoded ?? 0) / 1024).toFixed(1),
    largest_js_transferred_kib: +((largest?.encoded ?? 0) / 1024).toFixed(1),
  });
  console.log(JSON.stringify(runs.at(-1)));
  await context.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = { bench: 'web.national_first_load.median', runs: runs.length };
for (const key of ['map_drawn_ms', 'dom_content_loaded_ms', 'transferred_kib', 'js_transferred_kib', 'largest_js_kib', 'largest_js_transferred_kib']) {
  summary[key] = median(runs.map((r) => r[key]));
}
summary.largest_js = runs[0]?.largest_js;
console.log(JSON.stringify(summary));
await browser.close();
