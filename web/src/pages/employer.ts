// The employer's own pages (role employer, its organisation the token's `org`,
// a unified social credit code): its record, its declarations (fill in one
// and submit it), its rectification items (report one done) and the mandatory
// training assigned to it (osh-training).
import { api, requestId } from '../api';
import { currentClaims } from '../auth';
import { cstDateTime, cstYear } from '../format';
import { t, word } from '../i18n';
import { empty, errorBox, field, fill, h, link, select, table } from '../ui';
import type { Page } from '../main';

interface Employer { id: string; name: string; creditCode: string; divisionCode: string; totalWorkers?: number; exposedWorkers?: number; declarationStatus?: string; hazardCategories?: string[] }
interface Declaration { id: string; type?: string; status?: string; submitTime?: string; totalExposedWorkers?: number; reviews?: Array<{ reason?: string }> }
interface Rectification { id: string; description: string; deadline: string; status: string; overdue?: boolean; version: string }
interface Assignment { id: string; courseId: string; courseTitle?: string; targetRole?: string; dueDate?: string; status?: string; completeTime?: string }

export const employerHome: Page = async (main) => {
  const org = currentClaims()?.org ?? '';
  const head = h('section');
  const declarations = h('section', { class: 'declarations', 'aria-live': 'polite', 'aria-label': t('employers.declarations') });
  const items = h('section', { 'aria-live': 'polite', 'aria-label': t('employers.rectifications') });
  const assignments = h('section', { class: 'assignments', 'aria-live': 'polite', 'aria-label': t('assignments.title') });
  main.append(head, h('h2', {}, t('employers.declarations')), declarations, h('h2', {}, t('employers.rectifications')), items,
    h('h2', {}, t('assignments.title')), assignments);
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
    return h('div', {}, declarationForm(id, (employer as Employer).declarationStatus, () => void loadDeclarations()),
      list.length ? table([t('reviews.type'), t('employers.exposed'), t('reviews.submitted'), t('employers.declaration'), t('reviews.reason')],
        list.map((d) => [word(d.type), d.totalExposedWorkers ?? 0, cstDateTime(d.submitTime), word(d.status), d.reviews?.at(-1)?.reason ?? ''])) : empty());
  });
  const loadItems = () => fill(items, async () => {
    const answer = await api.get<{ items?: Rectification[] }>('/v1/rectifications', { employer_id: id, page_size: 100 });
    const list = answer.items ?? [];
    if (!list.length) return empty();
    return h('ol', { class: 'queue' }, ...list.map((r) => rectificationItem(r, () => void loadItems())));
  });
  // Mandatory courses the organisation's principal and OSH manager must take
  // (assigned when it registered or declared), with their due dates.
  const loadAssignments = () => fill(assignments, async () => {
    const answer = await api.get<{ assignments?: Assignment[] }>('/v1/assignments', { page_size: 100 });
    const list = answer.assignments ?? [];
    if (!list.length) return empty(t('assignments.none'));
    const today = new Date().toISOString().slice(0, 10);
    return table([t('assignments.course'), t('learn.role'), t('assignments.due'), t('assignments.status')],
      list.map((a) => [link(`/learn`, a.courseTitle ?? a.courseId), word(a.targetRole), a.dueDate ?? '',
        h('span', { class: 'assignment-status', 'data-assignment': a.id, 'data-status': a.status ?? '' },
          word(a.status) + (a.status === 'ASSIGNMENT_STATUS_OPEN' && (a.dueDate ?? '9') < today ? ` · ${t('rect.overdue')}` : ''))]),
      t('assignments.title'));
  });
  await Promise.all([loadDeclarations(), loadItems(), loadAssignments()]);
};

const CHANGE_REASONS = ['NEW_OR_REBUILT_PROJECT', 'PROCESS_OR_MATERIALS', 'SITE', 'NAME', 'LEGAL_REPRESENTATIVE', 'NEW_TEST_RESULTS', 'OTHER']
  .map((r) => `CHANGE_REASON_${r}`);

// A declaration with one hazard exposure row (factor, workplace, post,
// workers): an initial one, or, once one is approved, a change (with its
// reason) or the annual update (with its year).
function declarationForm(employerId: string, status: string | undefined, done: () => void): HTMLElement {
  const type = select('type', ['DECLARATION_TYPE_INITIAL', 'DECLARATION_TYPE_CHANGE', 'DECLARATION_TYPE_ANNUAL'].map((v) => [v, word(v)]),
    status === 'DECLARATION_STATUS_APPROVED' ? 'DECLARATION_TYPE_CHANGE' : 'DECLARATION_TYPE_INITIAL');
  const reason = select('change_reason', CHANGE_REASONS.map((v) => [v, word(v)]));
  const year = h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: cstYear() - 1 });
  const reasonField = field(t('declare.reason'), reason);
  const yearField = field(t('reviews.year'), year);
  const showDetails = () => {
    reasonField.hidden = type.value !== 'DECLARATION_TYPE_CHANGE';
    yearField.hidden = type.value !== 'DECLARATION_TYPE_ANNUAL';
  };
  type.addEventListener('change', showDetails);
  showDetails();
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
        type: type.value, totalExposedWorkers: exposed,
        ...(type.value === 'DECLARATION_TYPE_CHANGE' ? { changeReason: reason.value } : {}),
        ...(type.value === 'DECLARATION_TYPE_ANNUAL' ? { year: Number(year.value) } : {}),
        exposures: [{ factorCode: factor.value.trim(), workplace: workplace.value.trim(), post: post.value.trim(), exposedWorkers: exposed }],
      });
      done();
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  return h('form', { class: 'filters declare', onsubmit: (e: Event) => { e.preventDefault(); void submit(); } },
    field(t('reviews.type'), type), reasonField, yearField, field(t('declare.factor'), factor), field(t('declare.workplace'), workplace), field(t('declare.post'), post), field(t('employers.exposed'), workers),
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
