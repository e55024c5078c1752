// The web console in Debian's Chromium (playwright-core, no browser download),
// against the real platform browser_e2e.sh started. Each role signs in through
// the sign-in screen, does one real task per page group, and what the page
// shows is compared with what the API answers for the same question. Every
// page gets a screenshot (desktop 1280 px, some at phone width) and an axe-core
// check (no serious or critical violation); the Content-Security-Policy must
// never be violated. Prints one line per check and "N passed, N failed".
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';

const { BASE, CHROMIUM, RESULTS, WEB, NATIONAL, ADMIN, INSPECTOR, WORKER, EMPLOYER, IDP_PORT, OIDC_TOKEN } = process.env;
const require = createRequire(join(WEB, 'package.json'));
const { chromium } = require('playwright-core');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PATIENCE = 20_000; // a guard against hanging, never a measure of speed

let passed = 0;
let failed = 0;
function check(what, ok, detail = '') {
  if (ok) { passed++; console.log(`ok   ${what}`); } else { failed++; console.log(`FAIL ${what}${detail ? `: ${detail}` : ''}`); }
}

async function apiGet(path, token) {
  const response = await fetch(BASE + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const cspViolations = [];
let lastPage = null;
const axeResults = {};

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Europe/London', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(PATIENCE);
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`); });
  lastPage = page;
  page.on('console', (m) => { if (m.type() === 'error') console.log(`  console: ${m.text()}`); });
  page.on('pageerror', (e) => cspViolations.push(`${page.url()}: page error ${e.message}`));
  return page;
}

// Polls `predicate` in the page (through the DevTools protocol, so the page's
// CSP, which forbids eval, does not apply) until it holds; bounded by PATIENCE.
async function until(page, predicate, arg) {
  const deadline = Date.now() + PATIENCE;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${predicate.toString().slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });
}

async function axe(page, name) {
  await page.evaluate(AXE); // through the DevTools protocol: not an inline script, the CSP stays as served
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeResults[name] = result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  check(`axe finds no serious violation on ${name}`, bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length})`).join(', '));
}

async function signIn(page, token) {
  await page.goto(`${BASE}/login`);
  await page.fill('#token', token);
  await page.click('form button[type=submit]');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

async function run() {
// --- public: the library in Chinese, an article, certificate verification ---------
{
  const page = await newPage();
  await page.goto(`${BASE}/library`);
  const query = '尘肺病';
  await page.fill('#library-query', query);
  await page.click('form[role=search] button');
  await page.waitForSelector('.hit, .state.empty, .state.error');
  const api = await apiGet(`/v1/articles:search?query=${encodeURIComponent(query)}&page_size=10`);
  const hits = await page.$$eval('.hit h2', (xs) => xs.map((x) => x.textContent));
  check('the library search in Chinese shows as many hits as the API finds', hits.length === (api.body.hits ?? []).length && hits.length > 0, `${hits.length} vs ${(api.body.hits ?? []).length}`);
  const apiTitle = (api.body.hits?.[0]?.title ?? []).map((s) => s.text).join('') || api.body.hits?.[0]?.article.content.title;
  check('in the API\'s order, titles as the API highlights them', hits[0] === apiTitle, `${hits[0]} vs ${apiTitle}`);
  const marks = await page.$$eval('.hit mark', (xs) => xs.map((x) => x.textContent));
  check('matched words are highlighted', marks.length > 0 && marks.every((m) => query.includes(m) || m.includes('尘') || m.includes('肺')), marks.slice(0, 5).join(','));
  check('the query is in the address, so the search can be shared', page.url().includes(encodeURIComponent(query)));
  await shot(page, 'public-library-search');
  await axe(page, 'library search');

  await page.click('.hit h2 a');
  await page.waitForSelector('article h1');
  const id = page.url().split('/').pop();
  const article = await apiGet(`/v1/articles/${id}`);
  check('the article page shows the article\'s title', (await page.textContent('article h1')) === article.body.content.title);
  const meta = await page.textContent('article .meta');
  check('its publication time is in China Standard Time', meta.includes('北京时间'), meta);
  await shot(page, 'public-article');
  await axe(page, 'article');

  await page.goto(`${BASE}/certificates/verify`);
  await page.fill('#certificate-code', 'OSH-0000-0000-0000');
  await page.click('form button');
  await page.waitForSelector('.verification dl, .verification .state.error');
  const verify = await apiGet('/v1/certificates:verify?code=OSH-0000-0000-0000');
  const shown = await page.textContent('.verification');
  if (verify.status === 200) check('a certificate check shows the API\'s verdict', shown.includes(verify.body.status === 'CERTIFICATE_STATUS_NOT_VALID' ? '无此证书' : '有效'), shown);
  else check('a refused certificate check shows the API\'s message', shown.includes(verify.body.message), `${shown} vs ${verify.body.message}`);
  await shot(page, 'public-certificate-verify');
  await axe(page, 'certificate verification');

  await page.click('nav a[href="/courses"]');
  await page.waitForSelector('.course, main .state.empty');
  const courses = await apiGet('/v1/courses?page_size=50');
  const courseTitles = await page.$$eval('.course h2', (xs) => xs.map((x) => x.textContent));
  check('the course catalogue lists the published courses the API lists', courseTitles.length === (courses.body.courses ?? []).length && courseTitles.length > 0 &&
    courseTitles.every((title, i) => title === courses.body.courses[i].content.title), `${courseTitles.length}`);
  await shot(page, 'public-courses');
  await axe(page, 'course catalogue');

  // At phone width the library still fits the screen.
  const phone = await newPage({ width: 390, height: 844 });
  await phone.goto(`${BASE}/library?q=${encodeURIComponent(query)}`);
  await phone.waitForSelector('.hit');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('at phone width the library needs no sideways scrolling', overflow <= 1, `${overflow}px`);
  await shot(phone, 'phone-library');

  await page.goto(`${BASE}/national`);
  await page.waitForURL(/\/login$/);
  check('signed out, the national dashboard sends to the sign-in screen', page.url().endsWith('/login'));
  await shot(page, 'signin');
  await axe(page, 'sign-in');
  await page.context().close();
  await phone.context().close();
}

// --- province_admin: the review queue, employers, overdue rectifications ------
{
  const page = await newPage();
  await signIn(page, ADMIN);
  check('a province admin lands on the review queue', new URL(page.url()).pathname === '/province/reviews');
  await page.waitForSelector('.review, .queue, .state.empty, .state.error');
  const items = await page.$$('.review');
  check('the queue lists the two submitted declarations', items.length === 2, `${items.length}`);

  const first = page.locator('.review').nth(0);
  const firstId = await first.getAttribute('data-declaration');
  await first.locator('button.reject').click();
  await first.locator('.state.error').waitFor();
  const error = await first.locator('.state.error').textContent();
  check('rejecting without a reason shows the API\'s message', /reason/i.test(error), error);
  check('and the field it names', (await first.locator('.error-field code').textContent()) === 'reason');
  await shot(page, 'province-review-error');
  await first.locator('input[name=reason]').fill('接害人数与检测报告不符，请核实');
  await first.locator('button.reject').click();
  await first.locator('.done').waitFor();
  const rejected = await apiGet(`/v1/declarations/${firstId}`, ADMIN);
  check('rejecting with a reason is recorded by the registry', rejected.body.status === 'DECLARATION_STATUS_REJECTED' && rejected.body.reviews?.at(-1)?.reason === '接害人数与检测报告不符，请核实', JSON.stringify(rejected.body.reviews));

  const second = page.locator('.review').nth(1);
  const secondId = await second.getAttribute('data-declaration');
  await second.locator('button.approve').click();
  await second.locator('.done').waitFor();
  const approved = await apiGet(`/v1/declarations/${secondId}`, ADMIN);
  check('approving is recorded by the registry', approved.body.status === 'DECLARATION_STATUS_APPROVED');
  await shot(page, 'province-review-done');
  await axe(page, 'review queue');

  await page.click('nav a[href="/province/employers"]');
  await page.waitForSelector('table, .state.empty, .state.error');
  const listed = await page.$$eval('tbody tr', (rows) => rows.length);
  const employers = await apiGet('/v1/employers?page_size=50', ADMIN);
  check('employer search lists what the API lists', listed === employers.body.employers.length && listed > 0, `${listed} vs ${employers.body.employers.length}`);
  await page.selectOption('select[name=size_class]', 'SIZE_CLASS_SMALL');
  await page.click('form.filters button');
  await until(page, () => location.search.includes('SIZE_CLASS_SMALL') && !!document.querySelector('table, .state.empty'));
  await page.waitForSelector('section[aria-label] table, section[aria-label] .state.empty');
  const small = await apiGet('/v1/employers?page_size=50&size_class=SIZE_CLASS_SMALL', ADMIN);
  const smallRows = await page.$$eval('tbody tr', (rows) => rows.length);
  check('filtered by size, it lists what the API lists', smallRows === (small.body.employers ?? []).length, `${smallRows} vs ${(small.body.employers ?? []).length}`);
  await axe(page, 'employer search');
  await shot(page, 'province-employers');

  const name = await page.textContent('tbody tr td a');
  await page.click('tbody tr td a');
  await page.waitForSelector('main h1');
  await until(page, () => !document.querySelector('[aria-busy]'));
  check('an employer\'s page shows the employer', (await page.textContent('main h1')) === name);
  await shot(page, 'province-employer');
  await axe(page, 'employer page');

  await page.click('nav a[href="/province/rectifications"]');
  await page.waitForSelector('main section table, main section .state.empty');
  const overdue = await apiGet('/v1/rectifications?overdue_only=true&page_size=100', ADMIN);
  const overdueRows = await page.$$eval('main section tbody tr', (rows) => rows.length);
  check('overdue rectifications list what the API lists', overdueRows === (overdue.body.items ?? []).length && overdueRows >= 1, `${overdueRows}`);
  await shot(page, 'province-rectifications');
  await axe(page, 'overdue rectifications');

  await page.click('nav a[href="/province/risk"]');
  await page.waitForSelector('main section table');
  const risk = await apiGet('/v1/risk-classifications?include_summary=true&page_size=1', ADMIN);
  const riskTotal = (risk.body.summary ?? []).reduce((sum, c) => sum + (c.employers ?? 0), 0);
  const shownTotal = await page.$eval('main section tbody tr:last-child td:last-child', (x) => x.textContent);
  check('the risk matrix counts the employers the API classifies', shownTotal === String(riskTotal) && riskTotal > 0, `${shownTotal} vs ${riskTotal}`);
  await shot(page, 'province-risk-matrix');
  await axe(page, 'risk matrix');

  await page.click('nav a[href="/province/annual-reports"]');
  await page.waitForSelector('main .state.empty, main .report');
  await page.click('button.generate');
  await page.waitForSelector('.report[data-status=REPORT_STATUS_DRAFT]');
  const reportId = await page.getAttribute('.report[data-status=REPORT_STATUS_DRAFT]', 'data-report');
  const draft = await apiGet(`/v1/reporting/annual-reports/${reportId}`, ADMIN);
  const indicatorRows = await page.$$eval(`.report[data-report="${reportId}"] tbody tr`, (rows) => rows.length);
  check('a generated annual report shows its indicators (the findings) as the API has them', indicatorRows === (draft.body.indicators ?? []).length && indicatorRows > 0, `${indicatorRows}`);
  await page.click(`.report[data-report="${reportId}"] button.submit-report`);
  await page.waitForSelector(`.report[data-report="${reportId}"][data-status=REPORT_STATUS_SUBMITTED]`);
  const submitted = await apiGet(`/v1/reporting/annual-reports/${reportId}`, ADMIN);
  check('submitting it is recorded by the reporting service', submitted.body.status === 'REPORT_STATUS_SUBMITTED' && !!submitted.body.submission?.submitTime);
  await shot(page, 'province-annual-reports');
  await axe(page, 'annual reports');

  await page.click('nav a[href="/inbox"]');
  await page.waitForSelector('main section .notice, main section .state.empty');
  const inbox = await apiGet('/v1/notify/inbox?page_size=50', ADMIN);
  check('the inbox lists what osh-notify holds for the principal', (await page.$$('main section .notice')).length === (inbox.body.items ?? []).length);
  await axe(page, 'inbox');

  await page.goto(`${BASE}/national`);
  await page.waitForSelector('h1.forbidden');
  check('a province admin cannot open the national dashboard', (await page.$('#province-map')) === null);
  check('nor sees it in the navigation', (await page.$('nav a[href="/national"]')) === null);
  await page.context().close();
}

// --- employer: its record, a declaration, a rectification reported done ----------
{
  const page = await newPage();
  await signIn(page, EMPLOYER);
  check('an employer lands on its own page', new URL(page.url()).pathname === '/employer');
  await page.waitForSelector('main h1');
  const code = JSON.parse(Buffer.from(EMPLOYER.split('.')[1], 'base64url')).org;
  const own = await apiGet(`/v1/employers:byCreditCode/${code}`, EMPLOYER);
  check('it shows the employer\'s own record', (await page.textContent('main h1')) === own.body.name);
  await page.waitForSelector('form.declare');
  const before = (await apiGet(`/v1/employers/${own.body.id}/declarations`, EMPLOYER)).body.declarations.length;
  await page.fill('form.declare input[name=factor_code]', 'X999');
  await page.fill('form.declare input[name=workplace]', '打磨车间');
  await page.fill('form.declare input[name=post]', '打磨工');
  await page.fill('form.declare input[name=exposed_workers]', '12');
  await page.click('form.declare button[type=submit]');
  await page.waitForSelector('form.declare .state.error');
  const field = await page.textContent('form.declare .error-field code').catch(() => '');
  check('a declaration with an unknown hazard factor shows the API\'s error and the field it names', /factor/i.test(field), field);
  await shot(page, 'employer-declaration-error');
  await page.fill('form.declare input[name=factor_code]', 'D001');
  await page.click('form.declare button[type=submit]');
  await until(page, (n) => document.querySelectorAll('section[aria-label] tbody tr').length > n, before);
  const after = (await apiGet(`/v1/employers/${own.body.id}/declarations`, EMPLOYER)).body.declarations;
  check('a declaration filled in and submitted reaches the registry', after.length === before + 1 && after[0].status === 'DECLARATION_STATUS_SUBMITTED' && after[0].exposures[0].post === '打磨工');

  const item = page.locator('li.rectification').first();
  const itemId = await item.getAttribute('data-item');
  await item.locator('input[name=note]').fill('已更换排风罩并检测合格');
  await item.locator('button.report-done').click();
  await page.waitForSelector(`li.rectification[data-item="${itemId}"][data-status=RECTIFICATION_STATUS_REPORTED_DONE]`);
  const reported = await apiGet(`/v1/rectifications?employer_id=${own.body.id}`, EMPLOYER);
  check('reporting a rectification done is recorded by the registry', reported.body.items.find((x) => x.id === itemId)?.status === 'RECTIFICATION_STATUS_REPORTED_DONE');
  await shot(page, 'employer-home');
  await axe(page, 'employer page');
  await page.goto(`${BASE}/province/employers`);
  await page.waitForSelector('h1.forbidden');
  check('an employer cannot open the province workspace', (await page.$('form.filters')) === null);
  await page.context().close();

  // The province closes it after checking.
  const admin = await newPage();
  await signIn(admin, ADMIN);
  await admin.goto(`${BASE}/province/rectifications?show=RECTIFICATION_STATUS_REPORTED_DONE`);
  await admin.waitForSelector(`.outcome[data-item="${itemId}"] button.close-item`);
  await admin.click(`.outcome[data-item="${itemId}"] button.close-item`);
  await admin.waitForSelector(`.outcome[data-item="${itemId}"] .done`);
  const closed = await apiGet(`/v1/rectifications?employer_id=${own.body.id}`, ADMIN);
  check('a province admin closes the item the employer reported done', closed.body.items.find((x) => x.id === itemId)?.status === 'RECTIFICATION_STATUS_CLOSED');
  await shot(admin, 'province-rectification-closed');
  await admin.context().close();
}

// --- sign-in through an OpenID Connect provider: authorization code + PKCE ---------
// A stand-in provider on IDP_PORT (no real identity provider is reachable
// here): /authorize remembers the S256 challenge and sends the browser back
// with a code; /token gives the platform token only for the verifier that
// hashes to that challenge. /config.json is answered as an operator would
// configure it.
{
  const issued = new Map();
  const idp = `http://127.0.0.1:${IDP_PORT}`;
  const provider = createServer((req, res) => {
    const url = new URL(req.url, idp);
    if (url.pathname === '/authorize') {
      const ok = url.searchParams.get('response_type') === 'code' && url.searchParams.get('code_challenge_method') === 'S256' &&
        url.searchParams.get('client_id') === 'osh-console' && /^[\w-]{43}$/.test(url.searchParams.get('code_challenge') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri'));
      if (ok) {
        const code = `code-${issued.size + 1}`;
        issued.set(code, url.searchParams.get('code_challenge'));
        back.searchParams.set('code', code);
      } else back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    const cors = { 'access-control-allow-origin': BASE, 'access-control-allow-headers': 'content-type' };
    if (url.pathname === '/token' && req.method === 'OPTIONS') { res.writeHead(204, cors).end(); return; }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const challenge = issued.get(form.get('code'));
        issued.delete(form.get('code'));
        const hashed = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        const ok = form.get('grant_type') === 'authorization_code' && challenge && hashed === challenge && form.get('redirect_uri') === `${BASE}/auth/callback`;
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json', ...cors })
          .end(JSON.stringify(ok ? { access_token: OIDC_TOKEN, token_type: 'Bearer' } : { error: 'invalid_grant' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => provider.listen(Number(IDP_PORT), '127.0.0.1', resolve));
  const page = await newPage();
  await page.route('**/config.json', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ oidc: {
    issuer: idp, authorizationEndpoint: `${idp}/authorize`, tokenEndpoint: `${idp}/token`, clientId: 'osh-console', scope: 'openid' } }) }));
  await page.goto(`${BASE}/login`);
  await page.click('button:has-text("通过统一身份认证登录")');
  await page.waitForURL((url) => url.origin === BASE && url.pathname === '/province/reviews');
  const claims = await page.textContent('.claims');
  check('signing in with the provider (code + PKCE S256) ends signed in with the token it issued', claims.startsWith('web-oidc-inspector · inspector'), claims);
  check('the code was redeemed once, with the verifier of its challenge', issued.size === 0);
  check('the pkce verifier is gone from the session afterwards', (await page.evaluate(() => sessionStorage.getItem('osh.pkce'))) === null);
  await page.context().close();
  provider.close();
}

// --- inspector and worker: what they may not open -------------------------------
{
  const page = await newPage();
  await signIn(page, INSPECTOR);
  await page.waitForSelector('.review, .state.empty, .state.error');
  check('an inspector works the review queue too', (await page.$('h1.forbidden')) === null);
  await page.goto(`${BASE}/national`);
  await page.waitForSelector('h1.forbidden');
  check('an inspector cannot open the national dashboard', (await page.$('#province-map')) === null);
  await page.context().close();

  const worker = await newPage();
  await signIn(worker, WORKER);
  await worker.goto(`${BASE}/province/reviews`);
  await worker.waitForSelector('h1.forbidden');
  check('a worker cannot open the province workspace', (await worker.$('.review')) === null);
  check('and sees only public pages and its inbox in the navigation', (await worker.$$eval('nav a', (xs) => xs.map((x) => x.getAttribute('href')))).every((h) => ['/library', '/courses', '/certificates/verify', '/inbox', '/learn'].includes(h)));
  await shot(worker, 'worker-forbidden');
  await worker.context().close();
}

// --- worker: a course, its lessons, the quiz, the certificate verified ----------
{
  const page = await newPage();
  await signIn(page, WORKER);
  check('a worker lands on its courses', new URL(page.url()).pathname === '/learn');
  await page.waitForSelector('.course-offer');
  const courseId = await page.getAttribute('.course-offer', 'data-course');
  await page.fill('.course-offer input[name=holder_name]', '王小明');
  await page.click('.course-offer button.enroll');
  await page.waitForURL(/\/learn\/enrollments\//);
  const enrollmentId = page.url().split('/').pop();
  await page.waitForSelector('.enrollment-page');
  for (let left = await page.locator('button.view-lesson').count(); left > 0; left--) {
    await page.locator('button.view-lesson').first().click();
    await until(page, (n) => document.querySelectorAll('button.view-lesson').length < n, left);
  }
  const lessons = await apiGet(`/v1/enrollments/${enrollmentId}`, WORKER);
  check('every lesson viewed in the page is recorded by osh-training', lessons.body.viewedLessonIds.length === lessons.body.lessonCount && lessons.body.lessonCount > 0);
  // The right answers, as the course's author (the province admin) sees them; learners never get them.
  const authored = await apiGet(`/v1/courses/${courseId}?view=COURSE_VIEW_AUTHOR`, ADMIN);
  for (const q of authored.body.content.quiz.questions) {
    for (const c of q.choices.filter((x) => x.correct)) await page.check(`fieldset[data-question="${q.id}"] input[value="${c.id}"]`);
  }
  await shot(page, 'worker-quiz');
  await axe(page, 'course and quiz');
  await page.click('button.submit-quiz');
  await page.waitForSelector('.certificate .code');
  const done = await apiGet(`/v1/enrollments/${enrollmentId}`, WORKER);
  const code = await page.textContent('.certificate .code');
  check('passing the quiz completes the course with the certificate osh-training issued', done.body.status === 'ENROLLMENT_STATUS_COMPLETED' && code === done.body.certificate.verificationCode, `${code}`);
  await shot(page, 'worker-certificate');
  await page.click('a.verify-link');
  await page.waitForSelector('.verification dl');
  const verdict = await apiGet(`/v1/certificates:verify?code=${encodeURIComponent(code)}`);
  check('the certificate verifies as valid, as the public API says', verdict.body.status === 'CERTIFICATE_STATUS_VALID' && (await page.textContent('.verification dd')) === '有效' &&
    (await page.textContent('.verification')).includes(verdict.body.holderNameMasked));
  await shot(page, 'public-certificate-valid');
  await page.context().close();
}

// --- national_admin: the dashboard --------------------------------------------------
{
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

// The token is never where other scripts or later visits could find it.
{
  const page = await newPage();
  await signIn(page, ADMIN);
  const stores = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify(localStorage) }));
  check('no token in cookies or localStorage after sign-in', !stores.cookie.includes('eyJ') && !stores.local.includes('eyJ'), JSON.stringify(stores));
  await page.context().close();
}

}

try {
  await run();
} catch (e) {
  failed++;
  console.log(`FAIL ${e.message?.split('\n')[0]} at ${lastPage?.url()}`);
  if (lastPage) await lastPage.screenshot({ path: join(RESULTS, 'failure.png'), fullPage: true }).catch(() => {});
}
check('no Content-Security-Policy violation or script error on any page', cspViolations.length === 0, cspViolations.join('\n'));
writeFileSync(join(RESULTS, 'axe.json'), JSON.stringify(axeResults, null, 2));
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
