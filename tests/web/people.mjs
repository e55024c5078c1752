// Employers and learners in the browser test, and what other roles may not open.
import { apiGet, axe, check, env, newPage, shot, signIn, until } from './harness.mjs';

const { BASE, ADMIN, INSPECTOR, WORKER, EMPLOYER } = env;

// --- employer: its record, a declaration, a rectification reported done ----------
export async function employerPages() {
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
  await until(page, (n) => document.querySelectorAll('section.declarations tbody tr').length > n, before);
  const after = (await apiGet(`/v1/employers/${own.body.id}/declarations`, EMPLOYER)).body.declarations;
  check('a declaration filled in and submitted reaches the registry', after.length === before + 1 && after[0].status === 'DECLARATION_STATUS_SUBMITTED' && after[0].exposures[0].post === '打磨工');

  const item = page.locator('li.rectification').first();
  const itemId = await item.getAttribute('data-item');
  await item.locator('input[name=note]').fill('已更换排风罩并检测合格');
  await item.locator('button.report-done').click();
  await page.waitForSelector(`li.rectification[data-item="${itemId}"][data-status=RECTIFICATION_STATUS_REPORTED_DONE]`);
  const reported = await apiGet(`/v1/rectifications?employer_id=${own.body.id}`, EMPLOYER);
  check('reporting a rectification done is recorded by the registry', reported.body.items.find((x) => x.id === itemId)?.status === 'RECTIFICATION_STATUS_REPORTED_DONE');
  await page.waitForSelector('section.assignments :is(table, .state.empty)');
  const assigned = (await apiGet('/v1/assignments?page_size=100', EMPLOYER)).body.assignments ?? [];
  const shownAssignments = await page.$$eval('section.assignments .assignment-status', (xs) => xs.map((x) => `${x.getAttribute('data-assignment')}:${x.getAttribute('data-status')}`));
  check('its mandatory training lists the assignments osh-training holds for it, with their status',
    shownAssignments.join(',') === assigned.map((a) => `${a.id}:${a.status ?? ''}`).join(',') && assigned.length > 0, `${shownAssignments.length} vs ${assigned.length}`);
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

// --- inspector and worker: what they may not open -------------------------------
export async function accessByRole() {
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
export async function learnerPages() {
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

// The token is never where other scripts or later visits could find it.
export async function tokenStorage() {
  const page = await newPage();
  await signIn(page, ADMIN);
  const stores = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify(localStorage) }));
  check('no token in cookies or localStorage after sign-in', !stores.cookie.includes('eyJ') && !stores.local.includes('eyJ'), JSON.stringify(stores));
  await page.context().close();
}
