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
interface ProvinceCompleteness { province: string; provinceName?: string; state?: string; reportId?: string; firstSubmitTime?: string; amendments?: number }
interface Completeness {
  year: number; dueTime?: string; readTime?: string; expected?: number; submitted?: number; onTime?: number; late?: number; missing?: number;
  notYetDue?: number; completenessRate?: number; timelinessRate?: number; provinces?: ProvinceCompleteness[];
}

// What the map can be coloured by: a metric of the rollup, or a ratio of two.
interface Measure { key: string; label: () => string; of: (row: Map<string, number>) => number | null; ratio?: boolean }
const MEASURES: Measure[] = [
  { key: 'declaration_rate', label: () => t('national.declrate'), ratio: true,
    of: (r) => { const d = r.get('METRIC_REGISTERED_EMPLOYERS') ?? 0; return d ? (r.get('METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION') ?? 0) / d : null; } },
  ...['METRIC_REGISTERED_EMPLOYERS', 'METRIC_EMPLOYERS_WITH_APPROVED_DECLARATION', 'METRIC_EXPOSED_WORKERS', 'METRIC_WORKERS',
    'METRIC_DECLARATIONS_SUBMITTED', 'METRIC_DECLARATIONS_APPROVED', 'METRIC_DECLARATIONS_REJECTED'].map((m): Measure => ({
    key: m, label: () => word(m), of: (r) => r.get(m) ?? 0 })),
];

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
  let rows: Array<{ code: string; name: string; values: Map<string, number> }> = [];
  let metrics: string[] = [];
  let mapChart: Chart | null = null;

  const current = () => MEASURES.find((m) => m.key === measure.value) ?? MEASURES[0];
  const csvRows = () => [[t('national.province'), 'code', ...metrics.map(word), current().label()],
    ...rows.map((r) => [r.name, r.code, ...metrics.map((m) => r.values.get(m) ?? 0), current().of(r.values) ?? ''])];

  const drawMap = async () => {
    const charts = await import('../charts');
    const { echarts, loadChinaMap, provinceNames } = charts;
    chartPng = charts.chartPng;
    await loadChinaMap();
    mapChart ??= echarts.init(mapBox, undefined, { renderer: 'canvas' });
    const m = current();
    const data = rows.map((r) => ({ name: r.code, value: m.of(r.values) ?? undefined }));
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

  const loadRollup = () => fill(tableBox, async () => {
    const q: Record<string, string | number> = { 'query.group_by': 'DIMENSION_PROVINCE', page_size: 1000 };
    if (period.value) { q['query.period.kind'] = 'PERIOD_KIND_YEAR'; q['query.period.year'] = period.value; }
    const answer = await api.get<Rollup>('/v1/reporting/rollups', q);
    metrics = answer.metrics ?? [];
    rows = (answer.rows ?? []).map((r) => ({ code: r.regionCode, name: r.regionName || r.regionCode,
      values: new Map((r.values ?? []).map((v) => [v.metric, Number(v.value ?? 0)])) }));
    read.textContent = answer.readTime ? `${t('national.read')}: ${cstDateTime(answer.readTime)}` : '';
    void drawMap();
    if (!rows.length) return empty();
    const m = current();
    return table([t('national.province'), ...metrics.map(word), m.label()],
      rows.map((r) => [h('button', { type: 'button', class: 'drill link', 'data-region': r.code, title: t('national.drill'), onclick: () => void drill(r.code, r.name) }, r.name),
        ...metrics.map((x) => r.values.get(x) ?? 0), m.ratio ? percent(m.of(r.values)) : m.of(r.values) ?? '']), t('national.table'));
  });

  // From a province to its cities (4-digit division prefixes), the same metrics.
  const citiesBox = h('section', { class: 'cities', 'aria-live': 'polite' });
  const drill = (code: string, name: string) => fill(citiesBox, async () => {
    const q: Record<string, string | number> = { 'query.group_by': 'DIMENSION_CITY', 'query.region_prefix': code, page_size: 1000 };
    if (period.value) { q['query.period.kind'] = 'PERIOD_KIND_YEAR'; q['query.period.year'] = period.value; }
    const answer = await api.get<Rollup>('/v1/reporting/rollups', q);
    const cityMetrics = answer.metrics ?? [];
    const cityRows = (answer.rows ?? []).map((r) => [r.regionCode, ...cityMetrics.map((m) => Number((r.values ?? []).find((v) => v.metric === m)?.value ?? 0))]);
    const title = t('national.cities', { name });
    return h('div', { class: 'card', 'data-region': code },
      h('div', { class: 'card-head' }, h('h2', {}, title),
        h('button', { type: 'button', class: 'csv', 'data-chart': 'cities', onclick: () => downloadCsv(`cities-${code}.csv`, [[t('national.city'), ...cityMetrics.map(word)], ...cityRows]) }, t('national.csv'))),
      cityRows.length ? table([t('national.city'), ...cityMetrics.map(word)], cityRows) : empty());
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
      table([t('national.province'), t('national.state'), t('reviews.submitted')],
        (c.provinces ?? []).map((p) => [p.provinceName || p.province, word(p.state), cstDateTime(p.firstSubmitTime)])));
  });

  main.append(
    h('h1', {}, t('national.title')),
    h('form', { class: 'filters', onsubmit: (e: Event) => e.preventDefault() }, field(t('national.year'), period), field(t('national.metric'), measure)),
    read,
    chartCard(t('national.map'), 'province-map', () => mapChart && download('province-map.png', chartPng(mapChart as Chart)),
      () => downloadCsv('provinces.csv', csvRows()), h('div', {}, mapBox, tableBox)),
    citiesBox,
    chartCard(t('national.completeness'), 'completeness-pie', () => pieChart && download('completeness.png', chartPng(pieChart as Chart)),
      () => completeness && downloadCsv('completeness.csv', [[t('national.province'), 'code', t('national.state'), t('reviews.submitted'), 'amendments'],
        ...(completeness.provinces ?? []).map((p) => [p.provinceName ?? '', p.province, p.state ?? '', p.firstSubmitTime ?? '', p.amendments ?? 0])]),
      h('div', {}, pieBox, completenessBox)),
  );
  const update = () => {
    history.replaceState(null, '', `/national?${new URLSearchParams({ period: period.value, measure: measure.value })}`);
    void loadRollup();
    void loadCompleteness();
  };
  period.addEventListener('change', update);
  measure.addEventListener('change', () => { history.replaceState(null, '', `/national?${new URLSearchParams({ period: period.value, measure: measure.value })}`); void loadRollup(); });
  window.addEventListener('resize', () => { mapChart?.resize(); pieChart?.resize(); });
  await Promise.all([loadRollup(), loadCompleteness()]);
};
