// The national dashboard (national_admin): a metric or indicator by province
// on a map of China and in a table, and the annual reports' completeness and
// timeliness against the 15 December deadline. Every chart downloads as PNG,
// its data as CSV.
import { api } from '../api';
import { cstDateTime, cstYear, percent } from '../format';
import { t, word } from '../i18n';
import { download, downloadCsv, empty, field, fill, h, select, table } from '../ui';
import type { Page } from '../main';
import type { Chart } from '../charts';

let chartPng: (c: Chart) => string = () => '';

interface MetricValue { metric: string; value?: string }
interface RollupRow { regionCode: string; regionName?: string; values?: MetricValue[] }
interface Rollup { metrics?: string[]; rows?: RollupRow[]; readTime?: string }
interface ProvinceCompleteness { province: string; provinceName?: string; state?: string; reportId?: string; firstSubmitTime?: string; amendments?: number; reviewStatus?: string }
interface Completeness {
  year: number; dueTime?: string; readTime?: string; expected?: number; submitted?: number; onTime?: number; late?: number; missing?: number;
  notYetDue?: number; completenessRate?: number; timelinessRate?: number; provinces?: ProvinceCompleteness[];
  accepted?: number; awaitingReview?: number; returned?: number; acceptanceRate?: number;
}

interface IndicatorValue { indicator: string; numerator?: string; denominator?: string; value?: number; target?: number; meetsTarget?: boolean; previousValue?: number; change?: number }
interface IndicatorRow { regionCode?: string; regionName?: string; firstYear?: number; lastYear?: number; indicators?: IndicatorValue[] }
interface IndicatorsAnswer { rows?: IndicatorRow[]; readTime?: string }

export const INDICATORS = ['DECLARATION_RATE', 'MONITORING_PASS_RATE', 'HEALTH_EXAM_RATE', 'WRITTEN_NOTICE_RATE', 'TRAINING_RATE',
  'RECTIFICATION_CLOSURE_RATE', 'HEALTH_LITERACY_LEVEL'].map((x) => `INDICATOR_${x}`);

interface Region { code: string; name: string; values: Map<string, number>; indicators: Map<string, IndicatorValue> }

// What the map can be coloured by: any of the seven indicators (GET
// /v1/reporting/indicators) or a rollup metric (GET /v1/reporting/rollups).
interface Measure { key: string; label: () => string; of: (r: Region) => number | null; ratio?: boolean }
const MEASURES: Measure[] = [
  ...INDICATORS.map((i): Measure => ({ key: i, label: () => word(i), ratio: true, of: (r) => r.indicators.get(i)?.value ?? null })),
  ...['METRIC_REGISTERED_EMPLOYERS', 'METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION', 'METRIC_EXPOSED_WORKERS', 'METRIC_WORKERS',
    'METRIC_DECLARATIONS_SUBMITTED', 'METRIC_DECLARATIONS_APPROVED', 'METRIC_DECLARATIONS_REJECTED'].map((m): Measure => ({
    key: m, label: () => word(m), of: (r) => r.values.get(m) ?? 0 })),
];

function signed(change: number | undefined): string {
  if (change === undefined) return '';
  const points = (change * 100).toFixed(1);
  return `${change >= 0 ? '▲' : '▼'}${points.replace('-', '')}`;
}

// "45.0% ▲2.1" with whether it meets its target.
function indicatorCell(v: IndicatorValue | undefined): HTMLElement {
  if (!v || v.value === undefined) return h('span', { class: 'na' }, '—');
  const meets = v.target === undefined ? null : !!v.meetsTarget;
  return h('span', { class: meets === null ? '' : meets ? 'meets' : 'misses',
    title: v.target === undefined ? '' : `${t('reports.target')} ${percent(v.target)} · ${meets ? t('national.meets') : t('national.misses')}` },
    percent(v.value), meets === null ? '' : meets ? ' ✓' : ' ✗', v.change !== undefined ? h('small', {}, ` ${t('national.change')} ${signed(v.change)}`) : null);
}

function chartCard(title: string, id: string, onPng: () => void, onCsv: () => void, body: HTMLElement): HTMLElement {
  return h('section', { class: 'card chart-card', 'aria-labelledby': `${id}-title` },
    h('div', { class: 'card-head' }, h('h2', { id: `${id}-title` }, title),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'png', 'data-chart': id, onclick: onPng }, t('national.png')),
        h('button', { type: 'button', class: 'csv', 'data-chart': id, onclick: onCsv }, t('national.csv')))),
    body);
}

export const dashboard: Page = async (main, _params, query) => {
  const year = cstYear();
  const period = select('period', [['', t('national.now')], ...[year, year - 1, year - 2].map((y): [string, string] => [String(y), String(y)])], query.get('period') ?? '');
  const measure = select('measure', MEASURES.map((m): [string, string] => [m.key, m.label()]), query.get('measure') ?? MEASURES[0].key);
  const mapBox = h('div', { class: 'chart map', id: 'province-map', role: 'img', 'aria-label': t('national.map') });
  const tableBox = h('section', { 'aria-live': 'polite' });
  const completenessBox = h('section', { 'aria-live': 'polite' });
  const read = h('p', { class: 'meta' });
  let rows: Region[] = [];
  let metrics: string[] = [];
  let mapChart: Chart | null = null;

  const current = () => MEASURES.find((m) => m.key === measure.value) ?? MEASURES[0];
  const csvRows = () => [[t('national.province'), 'code', ...INDICATORS.flatMap((i) => [word(i), `${word(i)} ${t('reports.target')}`, `${word(i)} ${t('national.change')}`]), ...metrics.map(word)],
    ...rows.map((r) => [r.name, r.code, ...INDICATORS.flatMap((i) => { const v = r.indicators.get(i); return [v?.value ?? '', v?.target ?? '', v?.change ?? '']; }),
      ...metrics.map((m) => r.values.get(m) ?? 0)])];

  const drawMap = async () => {
    const charts = await import('../charts');
    const { echarts, loadChinaMap, provinceNames } = charts;
    chartPng = charts.chartPng;
    await loadChinaMap();
    mapChart ??= echarts.init(mapBox, undefined, { renderer: 'canvas' });
    const m = current();
    const data = rows.map((r) => ({ name: r.code, value: m.of(r) ?? undefined }));
    const values = data.map((d) => d.value ?? 0);
    mapBox.removeAttribute('data-drawn');
    mapChart.off('finished');
    mapChart.off('click');
    mapChart.on('click', (p) => { const r = rows.find((x) => x.code === p.name); if (r) void drill(r.code, r.name); });
    mapChart.on('finished', () => mapBox.setAttribute('data-drawn', String(data.length)));
    mapChart.setOption({
      tooltip: { trigger: 'item', formatter: (p: { name: string; value?: number }) =>
        `${provinceNames.get(p.name) ?? p.name}: ${p.value === undefined || Number.isNaN(p.value) ? '—' : m.ratio ? percent(p.value) : p.value}` },
      visualMap: { min: 0, max: m.ratio ? 1 : Math.max(1, ...values), left: 'left', bottom: 10, calculable: true,
        formatter: (v: number) => (m.ratio ? percent(v) : String(Math.round(v))),
        inRange: { color: ['#e0f3f8', '#74add1', '#313695'] } },
      series: [{ type: 'map', map: 'china', nameProperty: 'code', roam: false, data, emphasis: { label: { show: false } },
        select: { disabled: true } }],
    }, true);
    mapBox.setAttribute('aria-label', `${t('national.map')}: ${m.label()}`);
  };

  const selectedYear = () => (period.value ? Number(period.value) : year);
  const loadRollup = () => fill(tableBox, async () => {
    const q: Record<string, string | number> = { 'query.group_by': 'DIMENSION_PROVINCE', page_size: 1000 };
    if (period.value) { q['query.period.kind'] = 'PERIOD_KIND_YEAR'; q['query.period.year'] = period.value; }
    const [answer, indicators] = await Promise.all([
      api.get<Rollup>('/v1/reporting/rollups', q),
      api.get<IndicatorsAnswer>('/v1/reporting/indicators', { group_by: 'INDICATOR_GROUPING_REGION', year: selectedYear(), page_size: 1000 }),
    ]);
    metrics = answer.metrics ?? [];
    const byCode = new Map<string, Region>();
    const region = (code: string, name?: string) => {
      let r = byCode.get(code);
      if (!r) byCode.set(code, (r = { code, name: name || code, values: new Map(), indicators: new Map() }));
      if (name) r.name = name;
      return r;
    };
    for (const row of answer.rows ?? []) for (const v of row.values ?? []) region(row.regionCode, row.regionName).values.set(v.metric, Number(v.value ?? 0));
    for (const row of indicators.rows ?? []) for (const v of row.indicators ?? []) region(row.regionCode ?? '', row.regionName).indicators.set(v.indicator, v);
    rows = [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
    read.textContent = answer.readTime ? `${t('national.read')}: ${cstDateTime(answer.readTime)}` : '';
    void drawMap();
    if (!rows.length) return empty();
    const drillButton = (r: Region) => h('button', { type: 'button', class: 'drill link', 'data-region': r.code, title: t('national.drill'), onclick: () => void drill(r.code, r.name) }, r.name);
    return h('div', {},
      table([t('national.province'), ...INDICATORS.map(word)], rows.map((r) => [drillButton(r), ...INDICATORS.map((i) => indicatorCell(r.indicators.get(i)))]), `${t('national.indicators')} · ${selectedYear()}`),
      table([t('national.province'), ...metrics.map(word)], rows.map((r) => [r.name, ...metrics.map((x) => h('button', { type: 'button', class: 'trace link',
        'data-region': r.code, 'data-metric': x, title: t('trace.title'), onclick: () => void trace(r.code, r.name, x) }, String(r.values.get(x) ?? 0)))]), t('national.table')));
  });

  // From a figure to the records behind it: the employers whose events moved
  // the cell (GET /v1/reporting/rollups:trace), organisations only.
  const traceBox = h('section', { class: 'trace-panel', 'aria-live': 'polite' });
  const trace = (code: string, name: string, metric: string) => fill(traceBox, async () => {
    const q: Record<string, string | number> = { metric, region_code: code, page_size: 100 };
    if (period.value) { q['period.kind'] = 'PERIOD_KIND_YEAR'; q['period.year'] = period.value; }
    const answer = await api.get<{ cellValue?: string; tracedTotal?: string; contributorCount?: number;
      contributors?: Array<{ creditCode?: string; employerName?: string; contribution?: string; eventCount?: number }> }>('/v1/reporting/rollups:trace', q);
    const contributors = answer.contributors ?? [];
    const out = h('div', { class: 'card', 'data-region': code, 'data-metric': metric },
      h('h2', {}, `${name} · ${word(metric)}`),
      h('p', { class: 'summary' }, t('trace.summary', { value: answer.cellValue ?? 0, traced: answer.tracedTotal ?? 0, n: answer.contributorCount ?? 0 })),
      contributors.length ? table([t('employers.credit'), t('employers.name'), t('trace.contribution'), t('trace.events')],
        contributors.map((c) => [c.creditCode ?? '', c.employerName ?? '', c.contribution ?? '0', c.eventCount ?? 0])) : empty());
    return out;
  });

  // The nation's seven indicators over the last five years.
  let trendChart: Chart | null = null;
  let trend: IndicatorRow[] = [];
  const trendBox = h('div', { class: 'chart trend', id: 'indicator-trend', role: 'img', 'aria-label': t('national.trend') });
  const trendTable = h('section', { 'aria-live': 'polite' });
  const loadTrend = () => fill(trendTable, async () => {
    const last = selectedYear();
    const answer = await api.get<IndicatorsAnswer>('/v1/reporting/indicators', { first_year: last - 4, last_year: last, group_by: 'INDICATOR_GROUPING_YEAR' });
    trend = answer.rows ?? [];
    const years = Array.from({ length: 5 }, (_, i) => last - 4 + i);
    const valueOf = (y: number, i: string) => trend.find((r) => r.firstYear === y)?.indicators?.find((v) => v.indicator === i)?.value;
    const charts = await import('../charts');
    chartPng = charts.chartPng;
    trendChart ??= charts.echarts.init(trendBox, undefined, { renderer: 'canvas' });
    trendChart.setOption({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => percent(v) },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 50, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: years.map(String) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      series: INDICATORS.map((i) => ({ type: 'line', name: word(i), connectNulls: false, data: years.map((y) => valueOf(y, i) ?? null) })),
    }, true);
    return table([t('national.year'), ...INDICATORS.map(word)], years.map((y) => [String(y), ...INDICATORS.map((i) => indicatorCell(trend.find((r) => r.firstYear === y)?.indicators?.find((v) => v.indicator === i)))]));
  });

  // From a province to its cities (4-digit division prefixes), the same metrics.
  const citiesBox = h('section', { class: 'cities', 'aria-live': 'polite' });
  const drill = (code: string, name: string) => fill(citiesBox, async () => {
    const q: Record<string, string | number> = { 'query.group_by': 'DIMENSION_CITY', 'query.region_prefix': code, page_size: 1000 };
    if (period.value) { q['query.period.kind'] = 'PERIOD_KIND_YEAR'; q['query.period.year'] = period.value; }
    const answer = await api.get<Rollup>('/v1/reporting/rollups', q);
    const cityMetrics = answer.metrics ?? [];
    const cityRows = (answer.rows ?? []).map((r) => [r.regionCode, ...cityMetrics.map((m) => Number((r.values ?? []).find((v) => v.metric === m)?.value ?? 0))]);
    const cityIndicators = await api.get<IndicatorsAnswer>('/v1/reporting/indicators', { region_prefix: code, group_by: 'INDICATOR_GROUPING_REGION', year: selectedYear(), page_size: 1000 });
    const title = t('national.cities', { name });
    return h('div', { class: 'card', 'data-region': code },
      h('div', { class: 'card-head' }, h('h2', {}, title),
        h('button', { type: 'button', class: 'csv', 'data-chart': 'cities', onclick: () => downloadCsv(`cities-${code}.csv`, [[t('national.city'), ...cityMetrics.map(word)], ...cityRows]) }, t('national.csv'))),
      cityRows.length ? table([t('national.city'), ...cityMetrics.map(word)], cityRows) : empty(),
      (cityIndicators.rows ?? []).length ? table([t('national.city'), ...INDICATORS.map(word)], (cityIndicators.rows ?? []).map((r) =>
        [r.regionCode ?? '', ...INDICATORS.map((i) => indicatorCell(r.indicators?.find((v) => v.indicator === i)))]), t('national.indicators')) : null);
  });

  let pieChart: Chart | null = null;
  let completeness: Completeness | null = null;
  const pieBox = h('div', { class: 'chart pie', id: 'completeness-pie', role: 'img', 'aria-label': t('national.completeness') });
  const loadCompleteness = () => fill(completenessBox, async () => {
    const y = period.value ? Number(period.value) : year;
    const c = await api.get<Completeness>(`/v1/reporting/completeness/${y}`);
    completeness = c;
    const { echarts } = await import('../charts');
    pieChart ??= echarts.init(pieBox, undefined, { renderer: 'canvas' });
    pieChart.setOption({
      // Plain text: the default tooltip's markers are inline-styled HTML, which the policy refuses.
      tooltip: { trigger: 'item', formatter: (p: { name: string; value: number; percent: number }) => `${p.name}: ${p.value} (${p.percent}%)` },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['40%', '65%'], data: [
        { name: t('national.ontime'), value: c.onTime ?? 0 }, { name: t('national.late'), value: c.late ?? 0 },
        { name: t('national.missing'), value: c.missing ?? 0 }, { name: word('SUBMISSION_STATE_NOT_YET_DUE'), value: c.notYetDue ?? 0 }] }],
    }, true);
    return h('div', {},
      h('p', { class: 'summary' }, `${t('national.year')} ${c.year} · ${t('national.expected')} ${c.expected ?? 0} · ${t('national.submitted')} ${c.submitted ?? 0} · ${t('national.rate')} ${percent(c.completenessRate ?? 0)} · ${t('national.timeliness')} ${percent(c.timelinessRate ?? 0)} · ${cstDateTime(c.dueTime)}`),
      h('p', { class: 'summary review-summary' }, `${word('REPORT_STATUS_ACCEPTED')} ${c.accepted ?? 0} · ${t('national.awaiting')} ${c.awaitingReview ?? 0} · ${word('REPORT_STATUS_RETURNED')} ${c.returned ?? 0}`),
      table([t('national.province'), t('national.state'), t('reviews.submitted'), t('national.reviewStatus')],
        (c.provinces ?? []).map((p) => [p.provinceName || p.province, word(p.state), cstDateTime(p.firstSubmitTime), word(p.reviewStatus)])));
  });

  main.append(
    h('h1', {}, t('national.title')),
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, field(t('national.year'), period), field(t('national.metric'), measure)),
    read,
    chartCard(t('national.map'), 'province-map', () => mapChart && download('province-map.png', chartPng(mapChart as Chart)),
      () => downloadCsv('provinces.csv', csvRows()), h('div', {}, mapBox, tableBox)),
    traceBox,
    citiesBox,
    chartCard(t('national.trend'), 'indicator-trend', () => trendChart && download('indicator-trend.png', chartPng(trendChart as Chart)),
      () => downloadCsv('indicator-trend.csv', [[t('national.year'), ...INDICATORS.map(word)],
        ...trend.map((r) => [String(r.firstYear ?? ''), ...INDICATORS.map((i) => r.indicators?.find((v) => v.indicator === i)?.value ?? '')])]),
      h('div', {}, trendBox, trendTable)),
    chartCard(t('national.completeness'), 'completeness-pie', () => pieChart && download('completeness.png', chartPng(pieChart as Chart)),
      () => completeness && downloadCsv('completeness.csv', [[t('national.province'), 'code', t('national.state'), t('reviews.submitted'), 'amendments', t('national.reviewStatus')],
        ...(completeness.provinces ?? []).map((p) => [p.provinceName ?? '', p.province, p.state ?? '', p.firstSubmitTime ?? '', p.amendments ?? 0, p.reviewStatus ?? ''])]),
      h('div', {}, pieBox, completenessBox)),
  );
  const update = () => {
    history.replaceState(null, '', `/national?${new URLSearchParams({ period: period.value, measure: measure.value })}`);
    void loadRollup();
    void loadCompleteness();
    void loadTrend();
  };
  period.addEventListener('change', update);
  measure.addEventListener('change', () => { history.replaceState(null, '', `/national?${new URLSearchParams({ period: period.value, measure: measure.value })}`); void loadRollup(); });
  window.addEventListener('resize', () => { mapChart?.resize(); pieChart?.resize(); trendChart?.resize(); });
  await Promise.all([loadRollup(), loadCompleteness(), loadTrend()]);
};
