// The signed-in principal's in-app notices (osh-notify's inbox), any role.
import { api } from '../api';
import { cstDateTime } from '../format';
import { t } from '../i18n';
import { empty, errorBox, fill, h } from '../ui';
import type { Page } from '../main';

interface InboxItem { id: string; subject: string; body?: string; createTime?: string; read?: boolean; category?: string; legallyRequired?: boolean }

export const inbox: Page = async (main) => {
  const list = h('section', { 'aria-live': 'polite', 'aria-label': t('inbox.title') });
  const summary = h('p', { class: 'meta' });
  main.append(h('h1', {}, t('inbox.title')), summary, list);
  const load = () => fill(list, async () => {
    const answer = await api.get<{ items?: InboxItem[]; unread?: string }>('/v1/notify/inbox', { page_size: 50 });
    summary.textContent = t('inbox.unread', { n: answer.unread ?? 0 });
    const items = answer.items ?? [];
    if (!items.length) return empty();
    return h('ol', { class: 'queue inbox' }, ...items.map((item) => {
      const outcome = h('div', { 'aria-live': 'polite' });
      const markRead = async () => {
        try {
          await api.post(`/v1/notify/inbox/${item.id}:read`, {});
          await load();
        } catch (e) {
          outcome.replaceChildren(errorBox(e));
        }
      };
      return h('li', { class: `review notice${item.read ? ' read' : ''}`, 'data-item': item.id },
        h('h2', {}, item.subject, item.legallyRequired ? h('small', {}, ` · ${t('inbox.legal')}`) : null),
        h('p', { class: 'meta' }, `${cstDateTime(item.createTime)}${item.category ? ` · ${item.category}` : ''}`),
        item.body ? h('p', {}, item.body) : null,
        item.read ? null : h('div', { class: 'actions' }, h('button', { type: 'button', class: 'mark-read', onclick: () => void markRead() }, t('inbox.markRead'))),
        outcome);
    }));
  });
  await load();
};
