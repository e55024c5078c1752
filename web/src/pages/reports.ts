// The province's annual reports (province_admin, inspector): generate a
// report for a year (its figures frozen), see its indicators against their
// targets (the findings), and submit it to the national level
// (province_admin; a second submission for a year is an amendment with a reason).
import { api, fetchFile, requestId } from '../api';
import { currentClaims } from '../auth';
import { cstDateTime, cstYear, percent } from '../format';
import { t, word } from '../i18n';
import { download, empty, errorBox, field, fill, h, table } from '../ui';
import type { Page } from '../main';

export interface IndicatorValue { indicator: string; numerator?: string; denominator?: string; value?: number; target?: number; meetsTarget?: boolean }
export interface Finding { id: string; kind?: string; rule?: string; regionCode?: string; message?: string }
export interface AnnualReport {
  id: string; province: string; provinceName?: string; year: number; status: string; snapshotTime?: string;
  totals?: Array<{ metric: string; value?: string }>; indicators?: IndicatorValue[];
  submission?: { submitTime?: string; late?: boolean; amendmentReason?: string; explanations?: Array<{ findingId: string; explanation: string }> };
  // Issue 16's validation and national review (absent from servers before it).
  findings?: Finding[]; review?: { decision?: string; reviewTime?: string; reason?: string }; version?: string;
}

// The report as the API writes it out (CSV: one row per metric and region).
// The report as CSV (its data) and as HTML (the printable report), each the
// file the API writes.
export function downloadButton(report: AnnualReport, outcome: HTMLElement): HTMLElement {
  const fetchAs = (format: 'CSV' | 'HTML') => async () => {
    try {
      const blob = await fetchFile(`/v1/reporting/annual-reports/${report.id}:download`, { format: `EXPORT_FORMAT_${format}` });
      const url = URL.createObjectURL(blob);
      download(`annual-report-${report.province}-${report.year}.${format.toLowerCase()}`, url);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  return h('span', { class: 'downloads' },
    h('button', { type: 'button', class: 'download-report', 'data-report': report.id, onclick: fetchAs('CSV') }, t('national.csv')),
    h('button', { type: 'button', class: 'download-report-html', 'data-report': report.id, onclick: fetchAs('HTML') }, t('reports.html')));
}

// The report's validation findings, with the province's explanation of each
// (an input while it is a draft, the submitted text afterwards).
export function findingList(report: AnnualReport, inputs?: Map<string, HTMLInputElement>): Node | null {
  const findings = report.findings ?? [];
  if (!findings.length) return null;
  const explained = new Map((report.submission?.explanations ?? []).map((e) => [e.findingId, e.explanation]));
  return h('div', { class: 'findings' }, h('h3', {}, t('reports.findings')), h('ul', {}, ...findings.map((f) => {
    const input = inputs ? h('input', { name: `explain-${f.id}`, 'data-finding': f.id, maxlength: 2000, autocomplete: 'off' }) : null;
    if (input) inputs!.set(f.id, input);
    return h('li', { class: 'finding', 'data-finding': f.id }, h('p', {}, `${word(f.kind)} · ${f.regionCode ?? ''} · ${f.message ?? f.rule ?? ''}`),
      input ? field(t('reports.explanation'), input) : explained.get(f.id) ? h('p', { class: 'meta' }, `${t('reports.explanation')}: ${explained.get(f.id)}`) : null);
  })));
}

export function indicatorTable(indicators: IndicatorValue[]): Node {
  if (!indicators.length) return empty();
  return table([t('reports.indicator'), t('reports.value'), t('reports.target'), t('reports.meets')],
    indicators.map((i) => [word(i.indicator), i.value === undefined ? `— (${i.numerator ?? 0}/${i.denominator ?? 0})` : `${percent(i.value)} (${i.numerator ?? 0}/${i.denominator ?? 0})`,
      i.target === undefined ? '—' : percent(i.target), i.target === undefined ? '—' : i.meetsTarget ? t('reports.yes') : t('reports.no')]));
}

function reportCard(report: AnnualReport, onChange: () => void): HTMLElement {
  const reason = h('input', { name: 'amendment_reason', maxlength: 500, autocomplete: 'off' });
  const outcome = h('div', { 'aria-live': 'polite' });
  const canSubmit = report.status === 'REPORT_STATUS_DRAFT' && currentClaims()?.role === 'province_admin';
  const explanations = new Map<string, HTMLInputElement>();
  const submit = async () => {
    try {
      const body: Record<string, unknown> = { amendmentReason: reason.value.trim(), requestId: requestId() };
      if (report.version) body.version = report.version;
      if (explanations.size) body.explanations = [...explanations].map(([findingId, input]) => ({ findingId, explanation: input.value.trim() }));
      await api.post(`/v1/reporting/annual-reports/${report.id}:submit`, body);
      onChange();
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  return h('section', { class: 'card report', 'data-report': report.id, 'data-status': report.status },
    h('h2', {}, `${report.provinceName ?? report.province} ${report.year} · ${word(report.status)}`),
    h('p', { class: 'meta' }, `${t('reports.snapshot')}: ${cstDateTime(report.snapshotTime)}` +
      (report.submission?.submitTime ? ` · ${t('reports.submitted')}: ${cstDateTime(report.submission.submitTime)}${report.submission.late ? ` (${t('reports.late')})` : ''}` : '')),
    indicatorTable(report.indicators ?? []),
    h('div', { class: 'actions' }, downloadButton(report, outcome)),
    findingList(report, canSubmit ? explanations : undefined),
    report.review ? h('p', { class: `review-decision ${report.review.decision === 'REPORT_STATUS_RETURNED' ? 'misses' : 'meets'}` },
      `${word(report.review.decision)} · ${cstDateTime(report.review.reviewTime)}${report.review.reason ? ` · ${report.review.reason}` : ''}`) : null,
    canSubmit ? h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void submit(); } },
      field(t('reports.amendment'), reason), h('button', { type: 'submit', class: 'submit-report' }, t('reports.submit'))) : null,
    outcome);
}

export const annualReports: Page = (main) => {
  const province = currentClaims()?.province ?? '';
  const year = h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: cstYear() });
  const outcome = h('div', { 'aria-live': 'polite' });
  const list = h('div', { 'aria-live': 'polite' });
  const load = () => fill(list, async () => {
    const answer = await api.get<{ reports?: AnnualReport[] }>('/v1/reporting/annual-reports', { province, page_size: 20 });
    const reports = answer.reports ?? [];
    if (!reports.length) return empty();
    const out = document.createDocumentFragment();
    for (const r of reports) out.append(reportCard(r, () => void load()));
    return out;
  });
  const generate = async () => {
    outcome.replaceChildren();
    try {
      await api.post(`/v1/reporting/provinces/${province}/annual-reports`, { year: Number(year.value), requestId: requestId() });
      await load();
    } catch (e) {
      outcome.replaceChildren(errorBox(e));
    }
  };
  main.append(h('h1', {}, t('reports.title')),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void generate(); } },
      field(t('national.year'), year), h('button', { type: 'submit', class: 'generate' }, t('reports.generate'))),
    outcome, list);
  void load();
};

interface RiskCell { hazardClass?: string; managementGrade?: string; employers?: number }
const CLASSES = ['GENERAL', 'RELATIVELY_SERIOUS', 'SERIOUS'].map((x) => `HAZARD_RISK_CLASS_${x}`);
const GRADES = ['A', 'B', 'C'].map((x) => `MANAGEMENT_GRADE_${x}`);

// How many of the region's employers fall in each hazard class × management grade.
export const riskMatrix: Page = (main, _params, query) => {
  const division = h('input', { name: 'division_prefix', inputmode: 'numeric', maxlength: 6, value: query.get('division_prefix') ?? '' });
  const result = h('section', { 'aria-live': 'polite', 'aria-label': t('risk.title') });
  const load = () => fill(result, async () => {
    const answer = await api.get<{ summary?: RiskCell[] }>('/v1/risk-classifications', { include_summary: true, page_size: 1, division_prefix: division.value.trim() });
    const count = (c: string, g: string) => (answer.summary ?? []).filter((x) => x.hazardClass === c && x.managementGrade === g).reduce((s, x) => s + (x.employers ?? 0), 0);
    return table([`${t('risk.class')} \\ ${t('risk.grade')}`, ...GRADES.map(word), t('risk.total')],
      [...CLASSES.map((c) => [word(c), ...GRADES.map((g) => count(c, g)), GRADES.reduce((s, g) => s + count(c, g), 0)]),
        [t('risk.total'), ...GRADES.map((g) => CLASSES.reduce((s, c) => s + count(c, g), 0)), CLASSES.reduce((s, c) => s + GRADES.reduce((x, g) => x + count(c, g), 0), 0)]],
      t('risk.title'));
  });
  main.append(h('h1', {}, t('risk.title')),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void load(); } }, field(t('employers.division'), division), h('button', { type: 'submit' }, t('employers.search'))),
    result);
  void load();
};

interface AssistanceTotals { divisionPrefix?: string; enterprisesHelped?: number; visits?: number; issuesFound?: number; issuesFixed?: number; subsidyFen?: string }
interface Institution { id: string; creditCode: string; name: string; kinds?: string[]; qualificationExpiresOn?: string; status?: string }
interface Expert { id: string; name: string; affiliation?: string; title?: string; specialities?: string[] }

// The province's support for small employers and its service resources: the
// SME assistance ledger's totals for a region, OSH service institutions and
// the expert pool.
export const resources: Page = (main, _params, query) => {
  const division = h('input', { name: 'division_prefix', inputmode: 'numeric', maxlength: 6, value: query.get('division_prefix') ?? '' });
  const totals = h('section', { 'aria-live': 'polite', class: 'assistance', 'aria-label': t('resources.assistance') });
  const institutions = h('section', { 'aria-live': 'polite', class: 'institutions', 'aria-label': t('resources.institutions') });
  const experts = h('section', { 'aria-live': 'polite', class: 'experts', 'aria-label': t('resources.experts') });
  const loadTotals = () => fill(totals, async () => {
    const a = await api.get<AssistanceTotals>('/v1/assistance-totals', { division_prefix: division.value.trim() });
    return table([t('resources.helped'), t('resources.visits'), t('resources.found'), t('resources.fixed'), t('resources.subsidy')],
      [[a.enterprisesHelped ?? 0, a.visits ?? 0, a.issuesFound ?? 0, a.issuesFixed ?? 0, (Number(a.subsidyFen ?? 0) / 100).toFixed(2)]]);
  });
  main.append(h('h1', {}, t('resources.title')),
    h('h2', {}, t('resources.assistance')),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void loadTotals(); } }, field(t('employers.division'), division), h('button', { type: 'submit' }, t('employers.search'))),
    totals, h('h2', {}, t('resources.institutions')), institutions, h('h2', {}, t('resources.experts')), experts);
  void loadTotals();
  void fill(institutions, async () => {
    const list = (await api.get<{ institutions?: Institution[] }>('/v1/institutions', { page_size: 100 })).institutions ?? [];
    return list.length ? table([t('employers.name'), t('employers.credit'), t('resources.kinds'), t('resources.expires'), t('rect.status')],
      list.map((i) => [i.name, i.creditCode, (i.kinds ?? []).map(word).join('、'), i.qualificationExpiresOn ?? '', word(i.status)])) : empty();
  });
  void fill(experts, async () => {
    const list = (await api.get<{ experts?: Expert[] }>('/v1/experts', { page_size: 100 })).experts ?? [];
    return list.length ? table([t('employers.name'), t('resources.affiliation'), t('resources.expertTitle'), t('resources.specialities')],
      list.map((x) => [x.name, x.affiliation ?? '', x.title ?? '', (x.specialities ?? []).map(word).join('、')])) : empty();
  });
};
