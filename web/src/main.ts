// The console's shell: navigation by role, language switch, sign-in and the
// router. Each page group is a chunk of its own, loaded when first opened.
import './style.css';
import { completeOidcSignIn, currentClaims, loadConfig, onAuthChange, signIn, signOut, startOidcSignIn, type Role } from './auth';
import { currentLang, setLang, t } from './i18n';
import { empty, errorBox, h, link, loading } from './ui';

export type Page = (main: HTMLElement, params: string[], query: URLSearchParams) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  // Roles that may open it; undefined: everyone, signed in or not.
  roles?: Role[];
  page: () => Promise<Page>;
}

const PROVINCE_STAFF: Role[] = ['province_admin', 'inspector'];
const NATIONAL: Role[] = ['national_admin'];
// Supervisors (inspectors, institution staff, province admins as district leaders) take courses too.
const LEARNERS: Role[] = ['worker', 'employer', 'inspector', 'institution', 'province_admin'];

const routes: Route[] = [
  { pattern: /^\/$/, page: async () => home },
  { pattern: /^\/login$/, page: async () => login },
  { pattern: /^\/auth\/callback$/, page: async () => callback },
  { pattern: /^\/library$/, page: () => import('./pages/public').then((m) => m.librarySearch) },
  { pattern: /^\/library\/articles\/([\w-]+)$/, page: () => import('./pages/public').then((m) => m.article) },
  { pattern: /^\/certificates\/verify$/, page: () => import('./pages/public').then((m) => m.verifyCertificate) },
  { pattern: /^\/province\/employers$/, roles: PROVINCE_STAFF, page: () => import('./pages/province').then((m) => m.employerSearch) },
  { pattern: /^\/province\/employers\/([\w-]+)$/, roles: PROVINCE_STAFF, page: () => import('./pages/province').then((m) => m.employerPage) },
  { pattern: /^\/province\/reviews$/, roles: PROVINCE_STAFF, page: () => import('./pages/province').then((m) => m.reviewQueue) },
  { pattern: /^\/province\/rectifications$/, roles: PROVINCE_STAFF, page: () => import('./pages/province').then((m) => m.overdueRectifications) },
  { pattern: /^\/province\/risk$/, roles: PROVINCE_STAFF, page: () => import('./pages/reports').then((m) => m.riskMatrix) },
  { pattern: /^\/province\/resources$/, roles: PROVINCE_STAFF, page: () => import('./pages/reports').then((m) => m.resources) },
  { pattern: /^\/province\/annual-reports$/, roles: PROVINCE_STAFF, page: () => import('./pages/reports').then((m) => m.annualReports) },
  { pattern: /^\/province\/imports$/, roles: PROVINCE_STAFF, page: () => import('./pages/imports').then((m) => m.imports) },
  { pattern: /^\/province\/notifications$/, roles: PROVINCE_STAFF, page: () => import('./pages/notifications').then((m) => m.notifications) },
  { pattern: /^\/employer$/, roles: ['employer'], page: () => import('./pages/employer').then((m) => m.employerHome) },
  { pattern: /^\/inbox$/, roles: ['province_admin', 'inspector', 'institution', 'employer', 'worker', 'editor'], page: () => import('./pages/inbox').then((m) => m.inbox) },
  { pattern: /^\/learn$/, roles: LEARNERS, page: () => import('./pages/learn').then((m) => m.myCourses) },
  { pattern: /^\/learn\/enrollments\/([\w-]+)$/, roles: LEARNERS, page: () => import('./pages/learn').then((m) => m.enrollmentPage) },
  { pattern: /^\/courses$/, page: () => import('./pages/public').then((m) => m.courses) },
  { pattern: /^\/national\/reports$/, roles: NATIONAL, page: () => import('./pages/review').then((m) => m.reportReview) },
  { pattern: /^\/national$/, roles: NATIONAL, page: () => import('./pages/national').then((m) => m.dashboard) },
];

interface NavItem {
  href: string;
  key: string;
  roles?: Role[];
}
const nav: NavItem[] = [
  { href: '/library', key: 'nav.library' },
  { href: '/courses', key: 'nav.courses' },
  { href: '/certificates/verify', key: 'nav.verify' },
  { href: '/province/employers', key: 'nav.employers', roles: PROVINCE_STAFF },
  { href: '/province/reviews', key: 'nav.reviews', roles: PROVINCE_STAFF },
  { href: '/province/rectifications', key: 'nav.rectifications', roles: PROVINCE_STAFF },
  { href: '/province/risk', key: 'nav.risk', roles: PROVINCE_STAFF },
  { href: '/province/resources', key: 'nav.resources', roles: PROVINCE_STAFF },
  { href: '/province/annual-reports', key: 'nav.reports', roles: PROVINCE_STAFF },
  { href: '/province/imports', key: 'nav.imports', roles: PROVINCE_STAFF },
  { href: '/province/notifications', key: 'nav.notifications', roles: PROVINCE_STAFF },
  { href: '/national', key: 'nav.national', roles: NATIONAL },
  { href: '/national/reports', key: 'nav.nationalReports', roles: NATIONAL },
  { href: '/employer', key: 'nav.mine', roles: ['employer'] },
  { href: '/learn', key: 'nav.learn', roles: LEARNERS },
  { href: '/inbox', key: 'nav.inbox', roles: ['province_admin', 'inspector', 'institution', 'employer', 'worker', 'editor'] },
];

function allowed(roles: Role[] | undefined): boolean {
  if (!roles) return true;
  const claims = currentClaims();
  return !!claims && roles.includes(claims.role);
}

function renderHeader(): void {
  const claims = currentClaims();
  const header = document.getElementById('top')!;
  const items = nav.filter((n) => allowed(n.roles));
  header.replaceChildren(
    h('div', { class: 'brand' }, link('/', t('app.title'))),
    h('nav', { 'aria-label': t('app.title') }, h('ul', {}, ...items.map((n) => h('li', {}, link(n.href, t(n.key)))))),
    h(
      'div',
      { class: 'who' },
      claims ? h('span', { class: 'claims', 'data-role': claims.role }, `${claims.sub} · ${claims.role}${claims.province ? ' · ' + claims.province : ''}`) : null,
      claims
        ? h('button', { type: 'button', onclick: () => { signOut(); navigate('/login'); } }, t('nav.signout'))
        : link('/login', t('nav.signin')),
      h('button', { type: 'button', class: 'lang', lang: currentLang() === 'zh' ? 'en' : 'zh-CN',
        onclick: () => { setLang(currentLang() === 'zh' ? 'en' : 'zh'); render(); } }, t('lang.switch')),
    ),
  );
}

export function navigate(path: string): void {
  history.pushState(null, '', path);
  void render();
}

let renderCount = 0;
async function render(): Promise<void> {
  const mine = ++renderCount;
  document.title = t('app.title');
  renderHeader();
  const main = document.getElementById('main')!;
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const route = routes.find((r) => r.pattern.test(path));
  if (!route) {
    main.replaceChildren(h('h1', {}, t('state.notfound')), empty(path));
    return;
  }
  if (!allowed(route.roles)) {
    // Not signed in: sign in first; signed in with another role: refused
    // here (and by the API, which authorises every call itself).
    if (!currentClaims()) {
      sessionStorage.setItem('osh.after-login', location.pathname + location.search);
      navigate('/login');
      return;
    }
    main.replaceChildren(h('h1', { class: 'forbidden' }, t('state.forbidden')));
    return;
  }
  main.replaceChildren(loading());
  try {
    const page = await route.page();
    if (mine !== renderCount) return;
    main.replaceChildren();
    await page(main, path.match(route.pattern)!.slice(1), new URLSearchParams(location.search));
    // After a change of page, screen readers and keyboards start at its content.
    if (mine > 1 && mine === renderCount && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  } catch (e) {
    if (mine === renderCount) main.replaceChildren(errorBox(e));
  }
}

function landing(): string {
  const role = currentClaims()?.role;
  if (role === 'national_admin') return '/national';
  if (role === 'province_admin' || role === 'inspector') return '/province/reviews';
  if (role === 'employer') return '/employer';
  if (role === 'worker') return '/learn';
  return '/library';
}

const home: Page = () => navigate(landing());

const login: Page = async (main) => {
  const input = h('textarea', { id: 'token', name: 'token', rows: 4, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-help' });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (e: Event) => {
        e.preventDefault();
        if (!signIn(input.value)) {
          message.replaceChildren(errorBox(new Error(t('signin.invalid'))));
          return;
        }
        const next = sessionStorage.getItem('osh.after-login');
        sessionStorage.removeItem('osh.after-login');
        navigate(next ?? landing());
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'token' }, t('signin.token')), input),
    h('p', { id: 'token-help', class: 'help' }, t('signin.token.help')),
    h('button', { type: 'submit' }, t('signin.submit')),
    message,
  );
  const oidcBox = h('div', { class: 'card' });
  main.append(h('h1', {}, t('signin.title')), form, oidcBox);
  const { oidc } = await loadConfig();
  oidcBox.append(
    oidc
      ? h('button', { type: 'button', onclick: () => void startOidcSignIn(oidc) }, t('signin.oidc'))
      : h('p', { class: 'help' }, t('signin.oidc.none')),
  );
};

const callback: Page = async (main) => {
  const { oidc } = await loadConfig();
  if (!oidc) {
    main.append(errorBox(new Error(t('signin.oidc.none'))));
    return;
  }
  await completeOidcSignIn(oidc, new URL(location.href));
  history.replaceState(null, '', landing());
  void render();
};

// Links inside the app change the page without a reload.
document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-link]') as HTMLAnchorElement | null;
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.origin !== location.origin) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
});
window.addEventListener('popstate', () => void render());
onAuthChange(() => renderHeader());
setLang(currentLang());
void render();
