import { ApiError } from './api';
import { t } from './i18n';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

// Builds an element; text goes in as text nodes (never parsed as HTML).
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function loading(): HTMLElement {
  return h('p', { class: 'state loading', role: 'status', 'aria-live': 'polite' }, t('state.loading'));
}

export function empty(text = t('state.empty')): HTMLElement {
  return h('p', { class: 'state empty' }, text);
}

// An API error with its message and, when the API named one, the field.
export function errorBox(error: unknown): HTMLElement {
  const api = error instanceof ApiError ? error : null;
  return h(
    'div',
    { class: 'state error', role: 'alert', 'data-status': api?.status ?? '' },
    h('strong', {}, t('state.error') + (api && api.status ? ` (${api.status})` : '')),
    h('p', { class: 'error-message' }, (error as Error)?.message ?? String(error)),
    api?.field ? h('p', { class: 'error-field' }, `${t('state.field')}: `, h('code', {}, api.field)) : null,
  );
}

// Replaces `target`'s content with a loading state, then with what `load`
// builds, or with the error it threw.
export async function fill(target: HTMLElement, load: () => Promise<Node>): Promise<void> {
  target.replaceChildren(loading());
  target.setAttribute('aria-busy', 'true');
  try {
    target.replaceChildren(await load());
  } catch (e) {
    target.replaceChildren(errorBox(e));
  } finally {
    target.removeAttribute('aria-busy');
  }
}

export function table(headers: string[], rows: Child[][], caption?: string): HTMLElement {
  // A region that may scroll sideways (phones, wide tables) is reachable by keyboard.
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption ?? headers.slice(0, 2).join(' · ') },
    h(
      'table',
      {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

export function select(name: string, options: Array<[string, string]>, value = ''): HTMLSelectElement {
  const s = h('select', { name });
  for (const [v, text] of options) s.append(h('option', { value: v }, text));
  // The first option stays chosen unless `value` is one of them.
  if (options.some(([v]) => v === value)) s.value = value;
  return s;
}

export function link(href: string, text: string, attrs: Attrs = {}): HTMLAnchorElement {
  return h('a', { href, 'data-link': true, ...attrs }, text);
}

export function download(filename: string, href: string): void {
  const a = h('a', { href, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
}

// RFC 4180 CSV, with a BOM so that spreadsheet programs read the Chinese right.
export function csv(rows: Array<Array<string | number>>): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\ufeff' + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function downloadCsv(filename: string, rows: Array<Array<string | number>>): void {
  const url = URL.createObjectURL(new Blob([csv(rows)], { type: 'text/csv;charset=utf-8' }));
  download(filename, url);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The two buttons of a review (approve / reject, accept / return). While `act`
// runs both are disabled; its answer (the new status in words) replaces them
// and the reason can no longer change; an error is shown and they come back.
export function decisionButtons(labels: [string, string], act: (approve: boolean) => Promise<string>, outcome: HTMLElement,
  reason: HTMLInputElement): HTMLElement {
  const actions = h('div', { class: 'actions' });
  const decide = async (approve: boolean) => {
    actions.querySelectorAll('button').forEach((b) => (b.disabled = true));
    try {
      const text = await act(approve);
      outcome.replaceChildren(h('p', { class: 'done', role: 'status' }, text));
      actions.remove();
      reason.disabled = true;
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
      actions.querySelectorAll('button').forEach((b) => (b.disabled = false));
    }
  };
  actions.append(
    h('button', { type: 'button', class: 'approve', onclick: () => void decide(true) }, labels[0]),
    h('button', { type: 'button', class: 'reject', onclick: () => void decide(false) }, labels[1]),
  );
  return actions;
}
