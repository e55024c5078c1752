// Public pages in the browser test: no sign-in.
import { apiGet, axe, check, env, newPage, shot } from './harness.mjs';

const { BASE } = env;

// --- public: the library in Chinese, an article, certificate verification ---------
export async function publicPages() {
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
