// Bulk import of employers (province staff): a CSV or JSON-lines file sent as
// it is, a dry run or a real one, then the job's progress polled until it
// ends — counts, a progress bar, the refused rows with their line, field and
// reason — and a cancel button while it runs. The job id stays in the address,
// so a reload or a shared link shows the same job.
import { api } from '../api';
import { cstDateTime } from '../format';
import { t, word } from '../i18n';
import { empty, errorBox, field, h, select, table } from '../ui';
import type { Page } from '../main';

interface RowError { line?: string; field?: string; problem?: string; reason?: string }
interface ImportJob {
  id: string; state?: string; dryRun?: boolean; strategy?: string; format?: string; charset?: string; percent?: number;
  rowsRead?: string; imported?: string; updated?: string; ignored?: string; conflicts?: string;
  errors?: RowError[]; failure?: string; createTime?: string; finishTime?: string;
}

const RUNNING = ['IMPORT_STATE_QUEUED', 'IMPORT_STATE_RUNNING'];
const POLL_MS = 1000;

function contentTypeOf(file: File): string {
  if (/\.(jsonl|ndjson)$/i.test(file.name)) return 'application/x-ndjson';
  return 'text/csv';  // the charset (UTF-8 or GB18030) is detected by the registry
}

export const imports: Page = (main, _params, query) => {
  const file = h('input', { name: 'file', type: 'file', accept: '.csv,.jsonl,.ndjson,text/csv,application/x-ndjson' });
  const strategy = select('strategy', ['IMPORT_STRATEGY_CREATE_AND_UPDATE', 'IMPORT_STRATEGY_CREATE', 'IMPORT_STRATEGY_UPDATE'].map((s) => [s, word(s)]));
  const dryRun = h('input', { name: 'dry_run', type: 'checkbox' });
  const outcome = h('div', { 'aria-live': 'polite' });
  const job = h('section', { class: 'import-job', 'aria-live': 'polite', 'aria-label': t('imports.job') });

  const show = (j: ImportJob) => {
    const running = RUNNING.includes(j.state ?? '');
    const counts: Array<[string, string | number]> = [
      [t('imports.rowsRead'), j.rowsRead ?? 0], [t('imports.imported'), j.imported ?? 0], [t('imports.updated'), j.updated ?? 0],
      [t('imports.ignored'), j.ignored ?? 0], [t('imports.conflicts'), j.conflicts ?? 0]];
    const cancel = running ? h('button', { type: 'button', class: 'cancel-import', onclick: async () => {
      try {
        show(await api.post<ImportJob>(`/v1/imports/${j.id}:cancel`, {}));
      } catch (e) {
        job.append(errorBox(e));
      }
    } }, t('imports.cancel')) : '';
    job.replaceChildren(
      h('h2', {}, `${t('imports.job')} ${j.id}`),
      h('p', { class: 'meta import-state', 'data-state': j.state ?? '' }, `${word(j.state)}${j.dryRun ? ` · ${t('imports.dryRun')}` : ''} · ${word(j.strategy)} · ${j.format ?? ''} ${j.charset ?? ''} · ${cstDateTime(j.createTime)}`),
      h('progress', { max: 100, value: Math.round(j.percent ?? 0), 'aria-label': t('imports.progress') }),
      h('span', { class: 'percent' }, ` ${Math.round(j.percent ?? 0)}%`),
      h('dl', { class: 'facts counts' }, ...counts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
      j.failure ? h('p', { class: 'state error' }, j.failure) : '',
      cancel,
      (j.errors ?? []).length
        ? table([t('imports.line'), t('state.field'), t('imports.problem'), t('imports.reason')],
            (j.errors ?? []).map((e) => [e.line ?? '', e.field ? h('code', {}, e.field) : '', word(e.problem), e.reason ?? '']), t('imports.refused'))
        : empty(t('imports.noErrors')));
    if (running) setTimeout(() => void poll(j.id), POLL_MS);
  };

  // Polls while the page still shows this job (a new page or job stops it).
  const poll = async (id: string) => {
    if (!job.isConnected || new URLSearchParams(location.search).get('job') !== id) return;
    try {
      show(await api.get<ImportJob>(`/v1/imports/${id}`));
    } catch (e) {
      job.replaceChildren(errorBox(e));
    }
  };

  const start = async () => {
    outcome.replaceChildren();
    const chosen = file.files?.[0];
    if (!chosen) {
      outcome.append(errorBox(new Error(t('imports.choose'))));
      return;
    }
    try {
      const started = await api.upload<ImportJob>('/v1/imports/employers', { strategy: strategy.value, dry_run: dryRun.checked || undefined },
        chosen, contentTypeOf(chosen));
      history.replaceState(null, '', `/province/imports?job=${encodeURIComponent(started.id)}`);
      show(started);
    } catch (e) {
      outcome.append(errorBox(e));
    }
  };

  main.append(h('h1', {}, t('imports.title')),
    h('form', { class: 'card import', onsubmit: (e: Event) => { e.preventDefault(); void start(); } },
      field(t('imports.file'), file), field(t('imports.strategy'), strategy), field(t('imports.dryRun'), dryRun),
      h('p', { class: 'help' }, t('imports.help')), h('button', { type: 'submit', class: 'start-import' }, t('imports.start')), outcome),
    job);
  const shown = query.get('job');
  if (shown) void poll(shown);
};
