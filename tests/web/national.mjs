// The national dashboard and report review in the browser test (national_admin).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiGet, axe, check, env, newPage, shot, signIn, until } from './harness.mjs';

const { RESULTS, NATIONAL } = env;

// --- national_admin: the dashboard --------------------------------------------------
export async function nationalPages() {
  const page = await newPage();
  await signIn(page, NATIONAL);
  check('a national admin lands on the dashboard', new URL(page.url()).pathname === '/national');
  await page.waitForSelector('#province-map[data-drawn]');
  await page.waitForSelector('#province-map ~ section table');
  // A tooltip over the map (ECharts writes its box's style): the policy must allow what the charts do.
  const box = await page.$eval('#province-map', (x) => { const r = x.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w * 0.5, box.y + box.h * 0.5);
  await page.mouse.move(box.x + box.w * 0.55, box.y + box.h * 0.55);
  await until(page, () => [...document.querySelectorAll('#province-map div')].some((d) => /: /.test(d.textContent) && d.offsetWidth > 0));
  check('hovering the map shows a province\'s figure in a tooltip', true);
  const rollup = await apiGet('/v1/reporting/rollups?query.group_by=DIMENSION_PROVINCE&page_size=1000', NATIONAL);
  const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
  const indicators = await apiGet(`/v1/reporting/indicators?group_by=INDICATOR_GROUPING_REGION&year=${year}&page_size=1000`, NATIONAL);
  const percent = (v) => `${(v * 100).toFixed(1)}%`;
  const guangdong = rollup.body.rows.find((r) => r.regionCode === '44');
  const registered = guangdong.values.find((v) => v.metric === 'METRIC_REGISTERED_EMPLOYERS').value;
  const tables = await page.$$eval('#province-map ~ section table', (ts) => ts.map((t) => ({
    headers: [...t.querySelectorAll('thead th')].map((x) => x.textContent),
    rows: [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent)) })));
  const [indicatorTable, metricTable] = tables;
  const gdMetrics = metricTable.rows.find((r) => r[0] === guangdong.regionName);
  check('the province table shows Guangdong\'s registered employers as the API counts them', gdMetrics && gdMetrics[metricTable.headers.indexOf('在册用人单位')] === String(registered), `${gdMetrics} vs ${registered}`);
  const gdIndicators = indicators.body.rows.find((r) => r.regionCode === '44');
  const shownRate = indicatorTable.rows.find((r) => r[0] === guangdong.regionName)?.[indicatorTable.headers.indexOf('申报率')] ?? '';
  const apiRate = gdIndicators.indicators.find((i) => i.indicator === 'INDICATOR_DECLARATION_RATE');
  check('the seven indicators by province show Guangdong\'s declaration rate as the API computes it', indicatorTable.headers.length === 8 && shownRate.startsWith(percent(apiRate.value)), `${shownRate} vs ${JSON.stringify(apiRate)}`);
  const regions = new Set([...rollup.body.rows.map((r) => r.regionCode), ...indicators.body.rows.map((r) => r.regionCode)]);
  check('one row per province the API answers', indicatorTable.rows.length === regions.size && metricTable.rows.length === regions.size, `${indicatorTable.rows.length} vs ${regions.size}`);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('button.csv[data-chart=province-map]')]);
  const csvText = readFileSync(await csv.path(), 'utf8');
  check('the map\'s data downloads as CSV with a row per province', csvText.split('\r\n').filter(Boolean).length === regions.size + 1 && csvText.includes(guangdong.regionName), csvText.slice(0, 200));
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('button.png[data-chart=province-map]')]);
  const pngBytes = readFileSync(await png.path());
  check('the map downloads as a PNG image', pngBytes.subarray(1, 4).toString() === 'PNG' && pngBytes.length > 10_000, `${pngBytes.length} bytes`);
  writeFileSync(join(RESULTS, 'download-province-map.png'), pngBytes);

  await page.waitForSelector('#completeness-pie ~ section .summary');
  const completeness = await apiGet(`/v1/reporting/completeness/${year}`, NATIONAL);
  const summary = await page.textContent('#completeness-pie ~ section .summary');
  check('reporting completeness shows the expected provinces as the API counts them', summary.includes(`应报 ${completeness.body.expected}`), summary);
  const [pieCsv] = await Promise.all([page.waitForEvent('download'), page.click('button.csv[data-chart=completeness-pie]')]);
  check('and the submission the province just made', summary.includes(`已报 ${completeness.body.submitted}`) && completeness.body.submitted >= 1, summary);
  check('completeness downloads as CSV', readFileSync(await pieCsv.path(), 'utf8').split('\r\n').filter(Boolean).length === (completeness.body.provinces ?? []).length + 1);
  await shot(page, 'national-dashboard');
  await axe(page, 'national dashboard');

  await page.waitForSelector('#indicator-trend ~ section tbody tr');
  const trend = await apiGet(`/v1/reporting/indicators?first_year=${year - 4}&last_year=${year}&group_by=INDICATOR_GROUPING_YEAR`, NATIONAL);
  const trendRows = await page.$$eval('#indicator-trend ~ section tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  const thisYear = trend.body.rows.find((r) => r.firstYear === year)?.indicators.find((i) => i.indicator === 'INDICATOR_DECLARATION_RATE');
  check('the trend over five years shows this year\'s national declaration rate as the API computes it', trendRows.length === 5 && trendRows[4][0] === String(year) && thisYear?.value !== undefined && trendRows[4][1].startsWith(percent(thisYear.value)), `${trendRows[4]} vs ${JSON.stringify(thisYear)}`);
  const [trendPng] = await Promise.all([page.waitForEvent('download'), page.click('button.png[data-chart=indicator-trend]')]);
  check('the trend downloads as a PNG image', readFileSync(await trendPng.path()).subarray(1, 4).toString() === 'PNG');

  await page.click('button.drill[data-region="44"]');
  await page.waitForSelector('.cities [data-region="44"]');
  const cities = await apiGet('/v1/reporting/rollups?query.group_by=DIMENSION_CITY&query.region_prefix=44&page_size=1000', NATIONAL);
  const cityRows = await page.$$eval('.cities .table-wrap', (ws) => [...ws[0].querySelectorAll('tbody tr')].map((r) => r.children[0].textContent));
  check('drilling down from Guangdong shows its cities as the API groups them', cityRows.length === (cities.body.rows ?? []).length && cityRows.length > 1 &&
    cityRows.every((code, i) => code === cities.body.rows[i].regionCode), `${cityRows} vs ${(cities.body.rows ?? []).map((r) => r.regionCode)}`);

  await page.selectOption('select[name=measure]', 'METRIC_EXPOSED_WORKERS');
  await until(page, () => { const m = document.getElementById('province-map'); return m.hasAttribute('data-drawn') && m.getAttribute('aria-label').includes('接害人数'); });
  check('the map can be coloured by another metric', (await page.getAttribute('#province-map', 'aria-label')).includes('接害人数'));

  // From a figure to the records behind it.
  await page.click('button.trace[data-region="44"][data-metric="METRIC_REGISTERED_EMPLOYERS"]');
  await page.waitForSelector('.trace-panel .card[data-metric="METRIC_REGISTERED_EMPLOYERS"]');
  const traced = await apiGet('/v1/reporting/rollups:trace?metric=METRIC_REGISTERED_EMPLOYERS&region_code=44&page_size=100', NATIONAL);
  const tracedRows = await page.$$eval('.trace-panel tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  check('tracing Guangdong\'s registered employers lists the employers the API traces', tracedRows.length === (traced.body.contributors ?? []).length && tracedRows.length > 0 &&
    tracedRows.every((r, i) => r[0] === traced.body.contributors[i].creditCode), `${tracedRows.length} vs ${(traced.body.contributors ?? []).length}`);
  check('and its summary states the cell value the API gives', (await page.textContent('.trace-panel .summary')).includes(`数值 ${traced.body.cellValue}`));

  // The national review: the report Guangdong submitted above, returned without a reason (refused, the field named), then accepted.
  await page.click('nav a[href="/national/reports"]');
  await page.waitForSelector('.report[data-report], main .state.empty');
  const submittedReports = await apiGet(`/v1/reporting/annual-reports?status=REPORT_STATUS_SUBMITTED&year=${year}`, NATIONAL);
  const cards = await page.$$eval('.report[data-report]', (xs) => xs.map((x) => x.getAttribute('data-report')));
  check('the review page lists the submitted reports the API lists', cards.length === (submittedReports.body.reports ?? []).length && cards.length >= 1, `${cards.length}`);
  const card = page.locator('.report[data-report]').first();
  const reviewedId = await card.getAttribute('data-report');
  await card.locator('button.reject').click();
  await card.locator('.state.error').waitFor();
  check('returning a report without a reason shows the API\'s message and the field it names', (await card.locator('.error-field code').textContent()) === 'reason');
  await card.locator('button.approve').click();
  await card.locator('.done').waitFor();
  const accepted = await apiGet(`/v1/reporting/annual-reports/${reviewedId}`, NATIONAL);
  check('accepting the report is recorded by the reporting service', accepted.body.status === 'REPORT_STATUS_ACCEPTED', accepted.body.status);
  await shot(page, 'national-report-review');
  await axe(page, 'report review');
  await page.click('nav a[href="/national"]');
  await page.waitForSelector('#province-map[data-drawn]');
  await page.waitForSelector('#completeness-pie ~ section .review-summary');
  const reviewed = await apiGet(`/v1/reporting/completeness/${year}`, NATIONAL);
  const reviewSummary = await page.textContent('#completeness-pie ~ section .review-summary');
  check('completeness counts the accepted report as the API does', reviewed.body.accepted >= 1 && reviewSummary.startsWith(`已接收 ${reviewed.body.accepted}`), reviewSummary);

  await page.click('button.lang');
  await page.waitForSelector('text=National overview');
  check('English is one click away', (await page.textContent('h1')) === 'National overview');
  await shot(page, 'national-dashboard-en');

  const phone = await newPage({ width: 390, height: 844 });
  await signIn(phone, NATIONAL);
  await phone.waitForSelector('#province-map[data-drawn]');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('at phone width the dashboard needs no sideways scrolling', overflow <= 1, `${overflow}px`);
  await shot(phone, 'phone-national-dashboard');
  await page.context().close();
  await phone.context().close();
}
