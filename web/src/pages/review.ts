// The national review of provincial annual reports (national_admin): each
// submitted report with its indicators, validation findings and the
// province's explanations, accepted or returned with a reason.
import { api, requestId } from '../api';
import { cstDateTime, cstYear } from '../format';
import { t, word } from '../i18n';
import { decisionButtons, empty, field, fill, h } from '../ui';
import { downloadButton, findingList, indicatorTable, type AnnualReport } from './reports';
import type { Page } from '../main';

export const reportReview: Page = (main, _params, query) => {
  const year = h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: query.get('year') ?? String(cstYear()) });
  const list = h('section', { 'aria-live': 'polite', 'aria-label': t('review.title') });
  const load = () => fill(list, async () => {
    history.replaceState(null, '', `/national/reports?year=${encodeURIComponent(year.value)}`);
    const answer = await api.get<{ reports?: AnnualReport[] }>('/v1/reporting/annual-reports', { status: 'REPORT_STATUS_SUBMITTED', year: year.value, page_size: 100 });
    const reports = answer.reports ?? [];
    if (!reports.length) return empty(t('review.none'));
    return h('div', {}, ...reports.map((r) => reviewCard(r)));
  });
  main.append(h('h1', {}, t('review.title')),
    h('form', { class: 'inline', onsubmit: (e: Event) => { e.preventDefault(); void load(); } }, field(t('national.year'), year), h('button', { type: 'submit' }, t('employers.search'))),
    list);
  void load();
};

function reviewCard(report: AnnualReport): HTMLElement {
  const reason = h('input', { name: 'reason', maxlength: 2000, autocomplete: 'off' });
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  return h('section', { class: 'card report', 'data-report': report.id },
    h('h2', {}, `${report.provinceName ?? report.province} ${report.year}`),
    h('p', { class: 'meta' }, `${t('reports.submitted')}: ${cstDateTime(report.submission?.submitTime)}${report.submission?.late ? ` (${t('reports.late')})` : ''}` +
      (report.submission?.amendmentReason ? ` · ${report.submission.amendmentReason}` : '')),
    h('div', { class: 'actions' }, downloadButton(report, outcome)),
    indicatorTable(report.indicators ?? []),
    findingList(report),
    field(t('review.reason'), reason),
    decisionButtons([t('review.accept'), t('review.return')], async (accept) => {
      const done = await api.post<AnnualReport>(`/v1/reporting/annual-reports/${report.id}:${accept ? 'approve' : 'return'}`,
        accept ? { version: report.version, requestId: requestId() } : { version: report.version, reason: reason.value.trim(), requestId: requestId() });
      return word(done.status);
    }, outcome, reason),
    outcome);
}
