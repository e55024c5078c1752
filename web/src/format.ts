import { currentLang } from './i18n';

// Every date and time the console shows is China Standard Time, whatever the
// browser's own zone.
export function cstDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date) + (currentLang() === 'zh' ? '（北京时间）' : ' CST');
}

export function cstYear(now = new Date()): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now));
}

export function percent(value: number | undefined | null): string {
  return value === undefined || value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}
