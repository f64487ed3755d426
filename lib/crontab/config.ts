/** `<crontab start schedule>` and `<crontabfilter>`: a periodic full sync, with rsync exclude patterns. */
import { cronExpressionParser } from './cronParser';
import type { ElementView } from '../config/element';
import { parsePositiveInt } from '../config/element';

/** Every N minutes (sersync2), or a 5-field cron expression (our extension). */
export type Schedule = { readonly kind: 'minutes'; readonly minutes: number } | { readonly kind: 'cron'; readonly expression: string };

export interface CrontabConfig {
  readonly enabled: boolean;
  readonly schedule: Schedule;
  readonly filter: { readonly enabled: boolean; readonly excludes: readonly string[] };
}

export const CRONTAB_DEFAULTS: CrontabConfig = {
  enabled: false,
  schedule: { kind: 'minutes', minutes: 600 },
  filter: { enabled: false, excludes: [] },
};

function parseSchedule(text: string): Schedule | { error: string } {
  const minutes = parsePositiveInt(text);
  if (minutes !== undefined) return { kind: 'minutes', minutes };
  const fields = text.trim().split(/\s+/);
  if (fields.length === 1) {
    return { error: 'schedule must be a whole number of minutes, at least 1, or a 5-field cron expression such as "0 3 * * *"' };
  }
  if (fields.length !== 5) {
    return { error: `schedule has ${fields.length} fields; a cron expression has exactly 5: minute hour day-of-month month day-of-week` };
  }
  try {
    cronExpressionParser().parse(fields.join(' '));
    return { kind: 'cron', expression: fields.join(' ') };
  } catch (error) {
    // cron-parser does not say which field is wrong: try each alone.
    const names = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];
    const wrong = names.find((_, i) => {
      try {
        cronExpressionParser().parse(fields.map((f, j) => (j === i ? f : '*')).join(' '));
        return false;
      } catch {
        return true;
      }
    });
    const reason = (error as Error).message.replace(/^Constraint error, /, '');
    return { error: `schedule is not a valid cron expression${wrong ? ` (${wrong} field)` : ''}: ${reason}` };
  }
}

export function parseCrontab(view: ElementView | undefined): CrontabConfig {
  if (!view) return CRONTAB_DEFAULTS;
  view.expect(['start', 'schedule'], ['crontabfilter']);
  const enabled = view.bool('start');
  let schedule = CRONTAB_DEFAULTS.schedule;
  if (view.has('schedule')) {
    const parsed = parseSchedule(view.string('schedule'));
    if ('error' in parsed) view.problem('BAD_SCHEDULE', parsed.error, 'schedule');
    else schedule = parsed;
  }
  const filterView = view.one('crontabfilter');
  let filter = CRONTAB_DEFAULTS.filter;
  if (filterView) {
    filterView.expect(['start'], ['exclude']);
    const excludes: string[] = [];
    for (const exclude of filterView.all('exclude')) {
      exclude.expect(['expression']);
      const pattern = exclude.required('expression');
      if (pattern === '') exclude.problem('BAD_VALUE', 'expression must not be empty', 'expression');
      else if (pattern !== undefined) excludes.push(pattern);
    }
    filter = { enabled: filterView.bool('start'), excludes };
  }
  return { enabled, schedule, filter };
}
