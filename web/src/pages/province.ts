// The province workspace (province_admin, inspector): employer search, an
// employer's page, the declaration review queue and overdue rectifications.
import { api, requestId } from '../api';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { decisionButtons, empty, errorBox, field, fill, h, link, select, table } from '../ui';
import type { Page } from '../main';

interface Employer {
  id: string; creditCode: string; name: string; divisionCode: string; industrySection?: string; sizeClass?: string;
  totalWorkers?: number; exposedWorkers?: number; hazardCategories?: string[]; declarationStatus?: string;
  workplaceAddress?: string; legalRepresentative?: string; version?: string;
}
interface Declaration {
  id: string; employerId: string; type?: string; year?: number; status?: string; submitTime?: string;
  totalExposedWorkers?: number; totalWorkers?: number; reviews?: Array<{ approved?: boolean; reason?: string; reviewTime?: string }>;
}
interface Rectification { id: string; employerId: string; divisionCode: string; description: string; deadline: string; status: string; overdue?: boolean; doneNote?: string; version?: string }
interface Inspection { id: string; inspectedOn: string; summary?: string; findings?: Array<{ description: string }> }
interface HazardTest { id: string; testedOn: string; institution?: string; results?: unknown[]; exceedances?: number }
interface ExamSummary { id: string; year: number; kind?: string; examined?: number; abnormal?: number; notifiedInWriting?: number; notificationGap?: number }
interface RiskClassification { hazardClass?: string; managementGrade?: string; inspectionsPerYear?: number; reasons?: Array<{ rule: string; input: string; effect: string }>; asOf?: string }

const enumOptions = (values: string[]): Array<[string, string]> => [['', t('any')], ...values.map((v): [string, string] => [v, word(v)])];
const HAZARDS = ['DUST', 'CHEMICAL', 'PHYSICAL', 'RADIOACTIVE', 'BIOLOGICAL', 'OTHER'].map((x) => `HAZARD_CATEGORY_${x}`);
const SIZES = ['LARGE', 'MEDIUM', 'SMALL', 'MICRO'].map((x) => `SIZE_CLASS_${x}`);
const DECLARATION_STATES = ['SUBMITTED', 'APPROVED', 'REJECTED'].map((x) => `DECLARATION_STATUS_${x}`);

function employerRows(employers: Employer[]): Node {
  if (!employers.length) return empty();
  return table(
    [t('employers.name'), t('employers.credit'), t('employers.division'), t('employers.industry'), t('employers.size'), t('employers.workers'), t('employers.declaration')],
    employers.map((e) => [link(`/province/employers/${e.id}`, e.name), e.creditCode, e.divisionCode, e.industrySection ?? '', word(e.sizeClass), e.totalWorkers ?? 0, word(e.declarationStatus ?? 'DECLARATION_STATUS_UNSPECIFIED')]),
  );
}

export const employerSearch: Page = (main, _params, query) => {
  const credit = h('input', { name: 'credit_code', maxlength: 18, value: query.get('credit_code') ?? '', autocomplete: 'off' });
  const division = h('input', { name: 'division_prefix', inputmode: 'numeric', maxlength: 6, value: query.get('division_prefix') ?? '' });
  const industry = h('input', { name: 'industry_section', maxlength: 1, value: query.get('industry_section') ?? '' });
  const hazard = select('hazard_category', enumOptions(HAZARDS), query.get('hazard_category') ?? '');
  const size = select('size_class', enumOptions(SIZES), query.get('size_class') ?? '');
  const declaration = select('declaration_status', enumOptions(DECLARATION_STATES), query.get('declaration_status') ?? '');
  const results = h('section', { 'aria-live': 'polite', 'aria-label': t('employers.title') });

  const search = () => {
    const filters = {
      division_prefix: division.value.trim(), industry_section: industry.value.trim().toUpperCase(),
      hazard_category: hazard.value, size_class: size.value, declaration_status: declaration.value,
    };
    const code = credit.value.trim().toUpperCase();
    const params = new URLSearchParams(Object.entries({ credit_code: code, ...filters }).filter(([, v]) => v));
    history.replaceState(null, '', `/province/employers${params.size ? '?' + params : ''}`);
    void fill(results, async () => {
      if (code) return employerRows([await api.get<Employer>(`/v1/employers:byCreditCode/${encodeURIComponent(code)}`)]);
      const answer = await api.get<{ employers?: Employer[] }>('/v1/employers', { ...filters, page_size: 50 });
      return employerRows(answer.employers ?? []);
    });
  };

  main.append(
    h('h1', {}, t('employers.title')),
    h(
      'form',
      { class: 'filters', onsubmit: (e: Event) => { e.preventDefault(); search(); } },
      field(t('employers.credit'), credit), field(t('employers.division'), division), field(t('employers.industry'), industry),
      field(t('employers.hazard'), hazard), field(t('employers.size'), size), field(t('employers.declaration'), declaration),
      h('button', { type: 'submit' }, t('employers.search')),
    ),
    results,
  );
  search();
};

export const employerPage: Page = async (main, [id]) => {
  const head = h('section');
  const risk = h('section', { 'aria-label': t('employers.risk') });
  const declarations = h('section', { 'aria-label': t('employers.declarations') });
  const rectifications = h('section', { 'aria-label': t('employers.rectifications') });
  const inspections = h('section', { class: 'inspections', 'aria-label': t('employers.inspections') });
  const tests = h('section', { class: 'hazard-tests', 'aria-label': t('employers.tests') });
  const exams = h('section', { class: 'exams', 'aria-label': t('employers.exams') });
  main.append(link('/province/employers', `← ${t('employers.title')}`), head,
    h('h2', {}, t('employers.risk')), risk, h('h2', {}, t('employers.declarations')), declarations,
    h('h2', {}, t('employers.inspections')), inspections, h('h2', {}, t('employers.rectifications')), rectifications,
    h('h2', {}, t('employers.tests')), tests, h('h2', {}, t('employers.exams')), exams);
  const path = `/v1/employers/${encodeURIComponent(id)}`;
  await Promise.all([
    fill(head, async () => {
      const e = await api.get<Employer>(path);
      const facts: Array<[string, string | number | undefined]> = [
        [t('employers.credit'), e.creditCode], [t('employers.division'), e.divisionCode], [t('employers.industry'), e.industrySection],
        [t('employers.size'), word(e.sizeClass)], [t('employers.workers'), e.totalWorkers ?? 0], [t('employers.exposed'), e.exposedWorkers ?? 0],
        [t('employers.hazard'), (e.hazardCategories ?? []).map(word).join('、')], [t('employers.declaration'), word(e.declarationStatus ?? 'DECLARATION_STATUS_UNSPECIFIED')],
        [t('employers.address'), e.workplaceAddress], [t('employers.legal'), e.legalRepresentative],
      ];
      return h('div', {}, h('h1', {}, e.name), h('dl', { class: 'facts' }, ...facts.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])));
    }),
    fill(risk, async () => {
      const r = await api.get<RiskClassification>(`${path}/risk-classification`);
      return h('div', {}, h('p', {}, `${r.hazardClass ?? ''} × ${r.managementGrade ?? ''} · ${r.inspectionsPerYear ?? 0}/yr`),
        (r.reasons ?? []).length ? table(['rule', 'input', 'effect'], (r.reasons ?? []).map((x) => [x.rule, x.input, x.effect])) : empty());
    }),
    fill(declarations, async () => {
      const answer = await api.get<{ declarations?: Declaration[] }>(`${path}/declarations`, { page_size: 20 });
      const list = answer.declarations ?? [];
      return list.length
        ? table([t('reviews.type'), t('reviews.year'), t('employers.exposed'), t('reviews.submitted'), t('employers.declaration'), t('reviews.reason')],
            list.map((d) => [word(d.type), d.year ?? '', d.totalExposedWorkers ?? 0, cstDateTime(d.submitTime), word(d.status), d.reviews?.at(-1)?.reason ?? '']))
        : empty();
    }),
    fill(rectifications, async () => rectificationTable((await api.get<{ items?: Rectification[] }>('/v1/rectifications', { employer_id: id, page_size: 50 })).items ?? [])),
    fill(inspections, async () => {
      const list = (await api.get<{ inspections?: Inspection[] }>(`${path}/inspections`, { page_size: 20 })).inspections ?? [];
      return list.length ? table([t('inspections.on'), t('inspections.summary'), t('inspections.findings')],
        list.map((x) => [x.inspectedOn, x.summary ?? '', (x.findings ?? []).map((f) => f.description).join('；') || '—'])) : empty();
    }),
    fill(tests, async () => {
      const list = (await api.get<{ hazardTests?: HazardTest[] }>(`${path}/hazard-tests`, { page_size: 20 })).hazardTests ?? [];
      return list.length ? table([t('tests.on'), t('tests.institution'), t('tests.results'), t('tests.exceedances')],
        list.map((x) => [x.testedOn, x.institution ?? '', (x.results ?? []).length, h('span', { class: x.exceedances ? 'misses' : 'meets' }, String(x.exceedances ?? 0))])) : empty();
    }),
    fill(exams, async () => {
      const list = (await api.get<{ summaries?: ExamSummary[] }>(`${path}/health-exam-summaries`, { page_size: 20 })).summaries ?? [];
      return list.length ? table([t('reviews.year'), t('exams.kind'), t('exams.examined'), t('exams.abnormal'), t('exams.notified'), t('exams.gap')],
        list.map((x) => [x.year, word(x.kind), x.examined ?? 0, x.abnormal ?? 0, x.notifiedInWriting ?? 0, x.notificationGap ?? 0])) : empty();
    }),
  ]);
};

function rectificationTable(items: Rectification[]): Node {
  if (!items.length) return empty();
  return table(
    [t('rect.description'), t('rect.division'), t('rect.deadline'), t('rect.status')],
    items.map((r) => [link(`/province/employers/${r.employerId}`, r.description), r.divisionCode, r.deadline, word(r.status) + (r.overdue ? ' ⚠' : '')]),
  );
}

// Submitted declarations of the province's employers, oldest employer first,
// each approved or rejected (with a reason) in place.
export const reviewQueue: Page = async (main) => {
  const list = h('section', { 'aria-live': 'polite', 'aria-label': t('reviews.title') });
  main.append(h('h1', {}, t('reviews.title')), list);
  await fill(list, async () => {
    const answer = await api.get<{ employers?: Employer[] }>('/v1/employers', { declaration_status: 'DECLARATION_STATUS_SUBMITTED', page_size: 20 });
    const employers = answer.employers ?? [];
    const pending = (await Promise.all(employers.map(async (e) => {
      const d = await api.get<{ declarations?: Declaration[] }>(`/v1/employers/${e.id}/declarations`, { page_size: 5 });
      return (d.declarations ?? []).filter((x) => x.status === 'DECLARATION_STATUS_SUBMITTED').map((x) => ({ employer: e, declaration: x }));
    }))).flat();
    if (!pending.length) return empty();
    const ol = h('ol', { class: 'queue' });
    for (const { employer, declaration } of pending) ol.append(reviewItem(employer, declaration));
    return ol;
  });
};

function reviewItem(employer: Employer, declaration: Declaration): HTMLElement {
  const reason = h('input', { name: 'reason', maxlength: 500, autocomplete: 'off' });
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const item = h(
    'li',
    { class: 'review', 'data-declaration': declaration.id },
    h('h2', {}, link(`/province/employers/${employer.id}`, employer.name)),
    h('p', { class: 'meta' }, `${word(declaration.type)}${declaration.year ? ` · ${t('reviews.year')} ${declaration.year}` : ''} · ${t('employers.exposed')} ${declaration.totalExposedWorkers ?? 0} · ${t('reviews.submitted')} ${cstDateTime(declaration.submitTime)}`),
    field(t('reviews.reason'), reason),
    decisionButtons([t('reviews.approve'), t('reviews.reject')], async (approve) => {
      const done = await api.post<Declaration>(`/v1/declarations/${declaration.id}:review`, { approve, reason: reason.value.trim(), requestId: requestId() });
      return `${t('reviews.done')}: ${word(done.status)}`;
    }, outcome, reason),
    outcome,
  );
  return item;
}

// Overdue items by region, or items the employers reported done, each
// accepted (closed) here after checking.
export const overdueRectifications: Page = (main, _params, query) => {
  const division = h('input', { name: 'division_prefix', inputmode: 'numeric', maxlength: 6, value: query.get('division_prefix') ?? '' });
  const mode = select('show', [['overdue', t('rect.overdue')], ['RECTIFICATION_STATUS_REPORTED_DONE', t('rect.awaiting')]], query.get('show') ?? 'overdue');
  const results = h('section', { 'aria-live': 'polite', 'aria-label': t('rect.title') });
  const load = () => fill(results, async () => {
    const overdue = mode.value === 'overdue';
    const answer = await api.get<{ items?: Rectification[] }>('/v1/rectifications', {
      overdue_only: overdue || undefined, status: overdue ? undefined : mode.value, division_prefix: division.value.trim(), page_size: 100 });
    const items = answer.items ?? [];
    if (overdue || !items.length) return rectificationTable(items);
    return table([t('rect.description'), t('rect.division'), t('rect.deadline'), t('rect.note'), ''],
      items.map((r) => [link(`/province/employers/${r.employerId}`, r.description), r.divisionCode, r.deadline, r.doneNote ?? '', closeButton(r)]));
  });
  main.append(
    h('h1', {}, t('rect.title')),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void load(); } },
      field(t('rect.show'), mode), field(t('employers.division'), division), h('button', { type: 'submit' }, t('employers.search'))),
    results,
  );
  mode.addEventListener('change', () => void load());
  void load();
};

function closeButton(r: Rectification): HTMLElement {
  const cell = h('div', { class: 'outcome', 'data-item': r.id });
  const close = async () => {
    try {
      const done = await api.post<Rectification>(`/v1/rectifications/${r.id}:review`, { version: r.version, accept: true, requestId: requestId() });
      cell.replaceChildren(h('span', { class: 'done', role: 'status' }, word(done.status)));
    } catch (e) {
      cell.replaceChildren(errorBox(e));
    }
  };
  cell.append(h('button', { type: 'button', class: 'close-item', onclick: () => void close() }, t('rect.close')));
  return cell;
}
