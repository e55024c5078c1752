// The employer's own pages (role employer, its organisation the token's `org`,
// a unified social credit code): its record, its declarations (fill in one
// and submit it) and its rectification items (report one done).
import { api, requestId } from '../api';
import { currentClaims } from '../auth';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { empty, errorBox, field, fill, h, table } from '../ui';
import type { Page } from '../main';

interface Employer { id: string; name: string; creditCode: string; divisionCode: string; totalWorkers?: number; exposedWorkers?: number; declarationStatus?: string; hazardCategories?: string[] }
interface Declaration { id: string; type?: string; status?: string; submitTime?: string; totalExposedWorkers?: number; reviews?: Array<{ reason?: string }> }
interface Rectification { id: string; description: string; deadline: string; status: string; overdue?: boolean; version: string }

export const employerHome: Page = async (main) => {
  const org = currentClaims()?.org ?? '';
  const head = h('section');
  const declarations = h('section', { 'aria-live': 'polite', 'aria-label': t('employers.declarations') });
  const items = h('section', { 'aria-live': 'polite', 'aria-label': t('employers.rectifications') });
  main.append(head, h('h2', {}, t('employers.declarations')), declarations, h('h2', {}, t('employers.rectifications')), items);
  let employer: Employer | null = null;
  await fill(head, async () => {
    employer = await api.get<Employer>(`/v1/employers:byCreditCode/${encodeURIComponent(org)}`);
    const e = employer;
    return h('div', {}, h('h1', {}, e.name), h('dl', { class: 'facts' },
      ...([[t('employers.credit'), e.creditCode], [t('employers.division'), e.divisionCode], [t('employers.workers'), String(e.totalWorkers ?? 0)],
        [t('employers.exposed'), String(e.exposedWorkers ?? 0)], [t('employers.declaration'), word(e.declarationStatus ?? 'DECLARATION_STATUS_UNSPECIFIED')]] as Array<[string, string]>)
        .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
  });
  if (!employer) return;
  const id = (employer as Employer).id;

  const loadDeclarations = () => fill(declarations, async () => {
    const answer = await api.get<{ declarations?: Declaration[] }>(`/v1/employers/${id}/declarations`, { page_size: 20 });
    const list = answer.declarations ?? [];
    return h('div', {}, declarationForm(id, () => void loadDeclarations()),
      list.length ? table([t('reviews.type'), t('employers.exposed'), t('reviews.submitted'), t('employers.declaration'), t('reviews.reason')],
        list.map((d) => [word(d.type), d.totalExposedWorkers ?? 0, cstDateTime(d.submitTime), word(d.status), d.reviews?.at(-1)?.reason ?? ''])) : empty());
  });
  const loadItems = () => fill(items, async () => {
    const answer = await api.get<{ items?: Rectification[] }>('/v1/rectifications', { employer_id: id, page_size: 100 });
    const list = answer.items ?? [];
    if (!list.length) return empty();
    return h('ol', { class: 'queue' }, ...list.map((r) => rectificationItem(r, () => void loadItems())));
  });
  await Promise.all([loadDeclarations(), loadItems()]);
};

// A declaration with one hazard exposure row (factor, workplace, post, workers).
function declarationForm(employerId: string, done: () => void): HTMLElement {
  const factor = h('input', { name: 'factor_code', maxlength: 8, autocomplete: 'off' });
  const workplace = h('input', { name: 'workplace', maxlength: 100 });
  const post = h('input', { name: 'post', maxlength: 100 });
  const workers = h('input', { name: 'exposed_workers', type: 'number', min: 0 });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = async () => {
    outcome.replaceChildren();
    const exposed = Number(workers.value || 0);
    try {
      await api.post(`/v1/employers/${employerId}/declarations?request_id=${requestId()}`, {
        type: 'DECLARATION_TYPE_INITIAL', totalExposedWorkers: exposed,
        exposures: [{ factorCode: factor.value.trim(), workplace: workplace.value.trim(), post: post.value.trim(), exposedWorkers: exposed }],
      });
      done();
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  return h('form', { class: 'filters declare', onsubmit: (e: Event) => { e.preventDefault(); void submit(); } },
    field(t('declare.factor'), factor), field(t('declare.workplace'), workplace), field(t('declare.post'), post), field(t('employers.exposed'), workers),
    h('button', { type: 'submit' }, t('declare.submit')), outcome);
}

function rectificationItem(r: Rectification, done: () => void): HTMLElement {
  const note = h('input', { name: 'note', maxlength: 500, autocomplete: 'off' });
  const outcome = h('div', { 'aria-live': 'polite' });
  const report = async () => {
    try {
      await api.post(`/v1/rectifications/${r.id}:reportDone`, { version: r.version, note: note.value.trim(), requestId: requestId() });
      done();
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  const open = r.status === 'RECTIFICATION_STATUS_OPEN' || r.status === 'RECTIFICATION_STATUS_REOPENED';
  return h('li', { class: 'review rectification', 'data-item': r.id, 'data-status': r.status },
    h('h3', {}, r.description),
    h('p', { class: 'meta' }, `${t('rect.deadline')} ${r.deadline} · ${word(r.status)}${r.overdue ? ' ⚠' : ''}`),
    open ? h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void report(); } },
      field(t('rect.note'), note), h('button', { type: 'submit', class: 'report-done' }, t('rect.reportDone'))) : null,
    outcome);
}
