// Public pages, no sign-in: the science library (search, article) and
// certificate verification.
import { api } from '../api';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { empty, fill, h, link } from '../ui';
import type { Page } from '../main';

interface Span { text: string; match?: boolean }
interface ArticleContent { title: string; summary?: string; body?: string; locale?: string; source?: string; sourceDate?: string; tags?: string[] }
interface Article { id: string; province: string; content: ArticleContent; publishTime?: string }
interface Hit { article: Article; title?: Span[]; snippet?: Span[] }
interface SearchAnswer { hits?: Hit[]; totalHits?: string; totalHitsCapped?: boolean; nextPageToken?: string }

// Highlighted text: matched words in <mark>, everything as text nodes.
function spans(parts: Span[] | undefined, fallback: string): Node {
  const out = document.createDocumentFragment();
  if (!parts?.length) {
    out.append(fallback);
    return out;
  }
  for (const p of parts) out.append(p.match ? h('mark', {}, p.text) : p.text);
  return out;
}

export const librarySearch: Page = (main, _params, query) => {
  const input = h('input', { type: 'search', name: 'query', id: 'library-query', value: query.get('q') ?? '', required: true, lang: 'zh-CN' });
  const results = h('section', { class: 'results', 'aria-live': 'polite', 'aria-label': t('library.title') });
  let pageToken = '';

  const search = async (append: boolean) => {
    const q = input.value.trim();
    if (!q) return;
    history.replaceState(null, '', `/library?q=${encodeURIComponent(q)}`);
    const target = append ? results.appendChild(h('div')) : results;
    if (!append) pageToken = '';
    await fill(target, async () => {
      const answer = await api.get<SearchAnswer>('/v1/articles:search', { query: q, page_size: 10, page_token: pageToken });
      pageToken = answer.nextPageToken ?? '';
      const list = h('ol', { class: 'hits' });
      for (const hit of answer.hits ?? []) {
        list.append(
          h(
            'li',
            { class: 'hit' },
            h('h2', {}, h('a', { href: `/library/articles/${hit.article.id}`, 'data-link': true }, spans(hit.title, hit.article.content.title))),
            h('p', { class: 'snippet' }, spans(hit.snippet, hit.article.content.summary ?? '')),
            h('p', { class: 'meta' }, [hit.article.content.source, hit.article.publishTime ? `${t('library.published')} ${cstDateTime(hit.article.publishTime)}` : ''].filter(Boolean).join(' · ')),
          ),
        );
      }
      const out = document.createDocumentFragment();
      if (!append) out.append(h('p', { class: 'total' }, t('library.total', { n: `${answer.totalHits ?? 0}${answer.totalHitsCapped ? '+' : ''}` })));
      out.append((answer.hits ?? []).length ? list : empty());
      if (pageToken) {
        const more: HTMLButtonElement = h('button', { type: 'button', class: 'more', onclick: () => { more.remove(); void search(true); } }, t('library.more'));
        out.append(more);
      }
      return out;
    });
  };

  main.append(
    h('h1', {}, t('library.title')),
    h(
      'form',
      { role: 'search', class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void search(false); } },
      h('label', { for: 'library-query' }, t('library.query')),
      input,
      h('button', { type: 'submit' }, t('library.search')),
    ),
    results,
  );
  if (input.value) void search(false);
};

export const article: Page = async (main, [id]) => {
  const body = h('article', { class: 'article' });
  main.append(link('/library', `← ${t('library.back')}`), body);
  await fill(body, async () => {
    const a = await api.get<Article>(`/v1/articles/${encodeURIComponent(id)}`);
    document.title = `${a.content.title} · ${t('app.title')}`;
    const text = h('div', { class: 'body', lang: a.content.locale === 'en' ? 'en' : 'zh-CN' });
    // The body is shown as text, paragraph by paragraph: never parsed as HTML.
    for (const para of (a.content.body ?? '').split(/\n{2,}/)) {
      const line = para.replace(/^#+\s*/, '').trim();
      if (line) text.append(/^#/.test(para) ? h('h2', {}, line) : h('p', {}, line));
    }
    return h(
      'div',
      {},
      h('h1', {}, a.content.title),
      h('p', { class: 'meta' }, [a.content.source, a.content.sourceDate, a.publishTime ? `${t('library.published')} ${cstDateTime(a.publishTime)}` : ''].filter(Boolean).join(' · ')),
      a.content.summary ? h('p', { class: 'summary' }, a.content.summary) : null,
      text,
    );
  });
};

interface Verification { status: string; courseTitle?: string; issueDate?: string; expiryDate?: string; province?: string; holderNameMasked?: string; revocationReason?: string }

export const verifyCertificate: Page = (main, _params, query) => {
  const input = h('input', { name: 'code', id: 'certificate-code', value: query.get('code') ?? '', autocomplete: 'off' });
  const result = h('section', { 'aria-live': 'polite', class: 'verification' });
  const verify = async () => {
    history.replaceState(null, '', `/certificates/verify?code=${encodeURIComponent(input.value.trim())}`);
    await fill(result, async () => {
      const v = await api.get<Verification>('/v1/certificates:verify', { code: input.value.trim() });
      const rows: Array<[string, string | undefined]> = [
        [t('verify.status'), word(v.status)],
        [t('verify.course'), v.courseTitle],
        [t('verify.issued'), v.issueDate],
        [t('verify.expires'), v.expiryDate],
        [t('verify.holder'), v.holderNameMasked],
        [t('verify.province'), v.province],
        [t('verify.reason'), v.revocationReason],
      ];
      return h('dl', { class: `facts status-${(v.status ?? '').toLowerCase()}` }, ...rows.filter(([, x]) => x).flatMap(([k, x]) => [h('dt', {}, k), h('dd', {}, x!)]));
    });
  };
  main.append(
    h('h1', {}, t('verify.title')),
    h(
      'form',
      { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void verify(); } },
      h('label', { for: 'certificate-code' }, t('verify.code')),
      input,
      h('button', { type: 'submit' }, t('verify.submit')),
    ),
    result,
  );
  if (input.value) void verify();
};

interface Course { id: string; province?: string; content: { title: string; summary?: string; mandatory?: boolean; lessons?: unknown[]; hazardCategories?: string[] }; publishTime?: string }

// The published course catalogue: the province's courses and national ones.
export const courses: Page = async (main) => {
  const list = h('section', { 'aria-live': 'polite', 'aria-label': t('courses.title') });
  main.append(h('h1', {}, t('courses.title')), list);
  await fill(list, async () => {
    const answer = await api.get<{ courses?: Course[] }>('/v1/courses', { page_size: 50 });
    const items = answer.courses ?? [];
    if (!items.length) return empty();
    return h('ol', { class: 'hits courses' }, ...items.map((c) =>
      h('li', { class: 'hit course' },
        h('h2', {}, c.content.title),
        c.content.summary ? h('p', { class: 'snippet' }, c.content.summary) : null,
        h('p', { class: 'meta' }, [c.content.mandatory ? t('courses.mandatory') : '', `${t('courses.lessons')} ${(c.content.lessons ?? []).length}`,
          (c.content.hazardCategories ?? []).map(word).join('、'), c.publishTime ? `${t('library.published')} ${cstDateTime(c.publishTime)}` : ''].filter(Boolean).join(' · ')))));
  });
};
