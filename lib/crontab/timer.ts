/**
 * `<crontab>`: a full sync of every remote every `schedule` minutes, or at the times of a cron
 * expression. Unlike sersync2, whose timers only fire once its retry thread has been idle for a
 * minute, this runs on its own schedule.
 */
import { cronExpressionParser } from './cronParser';
import type { Clock } from '../clock';
import type { Schedule } from './config';

/** Milliseconds from `now` to the next run. */
export function nextDelay(schedule: Schedule, now: number, minuteMs: number): number {
  if (schedule.kind === 'minutes') return schedule.minutes * minuteMs;
  const next = cronExpressionParser().parse(schedule.expression, { currentDate: new Date(now) }).next();
  return Math.max(0, next.getTime() - now);
}

export class CrontabTimer {
  private timer: ReturnType<Clock['setTimeout']> | undefined;
  private stopped = false;

  constructor(
    private readonly schedule: Schedule,
    private readonly clock: Clock,
    private readonly fullSync: () => void,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.fullSync();
      this.start();
    }, nextDelay(this.schedule, this.clock.now(), this.clock.minuteMs));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }
}

/** sersync2's rule: with the filter on, a crontab without its own crontabfilter would undo the filter, so it is off. */
export function crontabActive(crontab: { enabled: boolean; filter: { enabled: boolean } }, filterEnabled: boolean): boolean {
  return crontab.enabled && !(filterEnabled && !crontab.filter.enabled);
}
