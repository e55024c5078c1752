// The province workspace in the browser test (province_admin).
import { readFileSync } from 'node:fs';
import { apiGet, axe, check, env, newPage, shot, signIn, until } from './harness.mjs';

const { BASE, ADMIN } = env;

// --- province_admin: the review queue, employers, overdue rectifications ------
export async function provinceWorkspace() {
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
  // Employer 1 of browser_e2e.sh has inspections recorded: its page lists them with the rest of its record.
  const code1 = JSON.parse(Buffer.from(env.EMPLOYER.split('.')[1], 'base64url')).org;
  const shownId = (await apiGet(`/v1/employers:byCreditCode/${code1}`, ADMIN)).body.id;
  await page.goto(`${BASE}/province/employers/${shownId}`);
  await page.waitForSelector('section.inspections table');
  await until(page, () => !document.querySelector('[aria-busy]'));
  for (const [section, path, key] of [['inspections', 'inspections', 'inspections'], ['hazard-tests', 'hazard-tests', 'hazardTests'], ['exams', 'health-exam-summaries', 'summaries']]) {
    const listed = (await apiGet(`/v1/employers/${shownId}/${path}?page_size=20`, ADMIN)).body[key] ?? [];
    const rows = await page.$$eval(`section.${section} tbody tr`, (xs) => xs.length);
    check(`its ${section.replace('-', ' ')} list what the API lists`, rows === listed.length && (section !== 'inspections' || rows >= 1), `${rows} vs ${listed.length}`);
  }
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

  await page.click('nav a[href="/province/resources"]');
  await page.waitForSelector('section.assistance table');
  await page.waitForSelector('section.institutions :is(table, .state.empty)');
  await page.waitForSelector('section.experts :is(table, .state.empty)');
  const totals = await apiGet('/v1/assistance-totals', ADMIN);
  const shownTotals = await page.$$eval('section.assistance tbody td', (xs) => xs.map((x) => x.textContent));
  check('the SME assistance ledger shows the totals the API sums', shownTotals[0] === String(totals.body.enterprisesHelped ?? 0) && shownTotals[1] === String(totals.body.visits ?? 0), `${shownTotals} vs ${JSON.stringify(totals.body)}`);
  const institutions = await apiGet('/v1/institutions?page_size=100', ADMIN);
  const experts = await apiGet('/v1/experts?page_size=100', ADMIN);
  check('institutions and experts list what the API lists',
    (await page.$$('section.institutions tbody tr')).length === (institutions.body.institutions ?? []).length &&
    (await page.$$('section.experts tbody tr')).length === (experts.body.experts ?? []).length);
  await axe(page, 'assistance and services');

  await page.click('nav a[href="/province/annual-reports"]');
  await page.waitForSelector('main .state.empty, main .report');
  await page.click('button.generate');
  await page.waitForSelector('.report[data-status=REPORT_STATUS_DRAFT]');
  const reportId = await page.getAttribute('.report[data-status=REPORT_STATUS_DRAFT]', 'data-report');
  const draft = await apiGet(`/v1/reporting/annual-reports/${reportId}`, ADMIN);
  const indicatorRows = await page.$$eval(`.report[data-report="${reportId}"] tbody tr`, (rows) => rows.length);
  check('a generated annual report shows its indicators (the findings) as the API has them', indicatorRows === (draft.body.indicators ?? []).length && indicatorRows > 0, `${indicatorRows}`);
  const findings = await page.$$(`.report[data-report="${reportId}"] input[data-finding]`);
  check('the draft lists the validation findings the API has, each with a place to explain it', findings.length === (draft.body.findings ?? []).length, `${findings.length}`);
  for (const input of findings) await input.fill('数据经核实无误（浏览器测试）');
  await page.click(`.report[data-report="${reportId}"] button.submit-report`);
  await page.waitForSelector(`.report[data-report="${reportId}"][data-status=REPORT_STATUS_SUBMITTED]`);
  const submitted = await apiGet(`/v1/reporting/annual-reports/${reportId}`, ADMIN);
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`button.download-report[data-report="${reportId}"]`)]);
  const shownCsv = readFileSync(await file.path(), 'utf8');
  const apiCsv = await (await fetch(`${BASE}/v1/reporting/annual-reports/${reportId}:download?format=EXPORT_FORMAT_CSV`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  check('the report downloads as the CSV the API writes', shownCsv === apiCsv && shownCsv.split('\n').length > 2, shownCsv.slice(0, 120));
  check('submitting it is recorded by the reporting service', submitted.body.status === 'REPORT_STATUS_SUBMITTED' && !!submitted.body.submission?.submitTime);
  const [page2] = await Promise.all([page.waitForEvent('download'), page.click(`button.download-report-html[data-report="${reportId}"]`)]);
  const shownHtml = readFileSync(await page2.path(), 'utf8');
  const apiHtml = await (await fetch(`${BASE}/v1/reporting/annual-reports/${reportId}:download?format=EXPORT_FORMAT_HTML`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  check('and as the printable HTML report the API writes', shownHtml === apiHtml && /<html/i.test(shownHtml), shownHtml.slice(0, 120));
  await shot(page, 'province-annual-reports');
  await axe(page, 'annual reports');

  await page.click('nav a[href="/inbox"]');
  await page.waitForSelector('main section .notice, main section .state.empty');
  const inbox = await apiGet('/v1/notify/inbox?page_size=50', ADMIN);
  check('the inbox lists what osh-notify holds for the principal', (await page.$$('main section .notice')).length === (inbox.body.items ?? []).length);
  await axe(page, 'inbox');

  await notificationRules(page);
  await bulkImport(page);

  await page.goto(`${BASE}/national`);
  await page.waitForSelector('h1.forbidden');
  check('a province admin cannot open the national dashboard', (await page.$('#province-map')) === null);
  check('nor sees it in the navigation', (await page.$('nav a[href="/national"]')) === null);
  await page.context().close();
}

// Notification management: a template and a rule made through the page, the
// rule switched off, and a refused rule showing the field the API names.
async function notificationRules(page) {
  await page.click('nav a[href="/province/notifications"]');
  await page.waitForSelector('section.rules :is(table, .state.empty)');
  await page.waitForSelector('section.templates :is(table, .state.empty)');
  const rulesBefore = (await apiGet('/v1/notify/rules?page_size=100', ADMIN)).body.rules ?? [];
  check('the rules page lists the rules osh-notify holds', (await page.$$('section.rules tbody tr')).length === rulesBefore.length);

  await page.fill('input[name=template-name]', '浏览器测试：新登记单位');
  await page.selectOption('select[name=template-event]', 'osh.events.v1.EnterpriseRegistered');
  await page.fill('input[name=template-subject]', '新登记：{{name}}');
  await page.fill('textarea[name=template-body]', '统一社会信用代码 {{employer.credit_code}}');
  await page.click('button.create-template');
  await page.waitForSelector('.new-template .done');
  const templateId = await page.getAttribute('.new-template .done', 'data-template');
  const template = await apiGet(`/v1/notify/templates/${templateId}`, ADMIN);
  check('a template made on the page is stored by osh-notify', template.status === 200 && template.body.eventType === 'osh.events.v1.EnterpriseRegistered' && template.body.subject === '新登记：{{name}}', JSON.stringify(template.body).slice(0, 200));

  await page.click('button.create-rule');
  await page.waitForSelector('.new-rule .state.error');
  check('a rule without a name is refused naming the field', (await page.textContent('.new-rule .error-field code')) === 'rule.name');
  await page.fill('input[name=rule-name]', '浏览器测试：通知省管理员');
  await page.selectOption('select[name=rule-template]', templateId);
  await page.fill('input[name=rule-category]', 'registration');
  await page.click('button.create-rule');
  await page.waitForSelector('.new-rule .done');
  const ruleId = await page.getAttribute('.new-rule .done', 'data-rule');
  const rule = await apiGet(`/v1/notify/rules/${ruleId}`, ADMIN);
  check('a rule made on the page is stored, enabled, for province admins with that template', rule.body.enabled === true &&
    rule.body.inboxTemplateId === templateId && rule.body.recipients?.[0]?.provinceRole === 'province_admin', JSON.stringify(rule.body).slice(0, 200));
  await page.waitForSelector(`.rule-state[data-rule="${ruleId}"]`);
  await page.click(`button.toggle-rule[data-rule="${ruleId}"]`);
  await page.waitForSelector(`.rule-state[data-rule="${ruleId}"][data-enabled=false]`);
  const disabled = await apiGet(`/v1/notify/rules/${ruleId}`, ADMIN);
  check('switching it off on the page disables it in osh-notify', !disabled.body.enabled && disabled.body.version === '2', JSON.stringify(disabled.body).slice(0, 120));
  await page.waitForSelector('section.deliveries :is(table, .state.empty, .state.error)');
  check('the latest deliveries load', (await page.$('section.deliveries .state.error')) === null);
  await shot(page, 'province-notifications');
  await axe(page, 'notification rules');
}

// A bulk import through the page: a GB18030 CSV with Chinese headers, its
// progress followed to the end, the counts and the refused row as the API has them.
async function bulkImport(page) {
  await page.click('nav a[href="/province/imports"]');
  await page.waitForSelector('form.import');
  await page.click('button.start-import');
  await page.waitForSelector('form.import .state.error');
  check('starting an import without a file says so', (await page.$('.import-job h2')) === null);
  await page.setInputFiles('input[name=file]', env.IMPORT_CSV);
  await page.click('button.start-import');
  await page.waitForSelector('.import-state[data-state=IMPORT_STATE_COMPLETED]');
  const jobId = new URL(page.url()).searchParams.get('job');
  const job = (await apiGet(`/v1/imports/${jobId}`, ADMIN)).body;
  const shown = await page.$$eval('.import-job .counts dd', (xs) => xs.map((x) => x.textContent));
  check('the import job runs to the end on the page, with the counts the API has', job.state === 'IMPORT_STATE_COMPLETED' &&
    shown.join(',') === [job.rowsRead, job.imported, job.updated ?? '0', job.ignored, job.conflicts].join(',') && job.imported === '2' && job.conflicts === '1',
    `${shown} vs ${JSON.stringify(job).slice(0, 200)}`);
  check('and shows the progress at 100 %', (await page.getAttribute('.import-job progress', 'value')) === '100');
  const refused = await page.$$eval('.import-job tbody tr td', (xs) => xs.map((x) => x.textContent));
  check('the refused row is shown with its line and field', refused[0] === '4' && refused[1] === 'credit_code', refused.join('|'));
  const imported = await apiGet(`/v1/employers?page_size=100`, ADMIN);
  check('the imported employers are in the registry', (imported.body.employers ?? []).filter((e) => e.name?.startsWith('浏览器导入')).length === 2);
  await shot(page, 'province-import');
  await axe(page, 'bulk import');
}
