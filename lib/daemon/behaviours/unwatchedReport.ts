/**
 * Directories the watches could not cover. Out of watches (ENOSPC): one summary at once, then every
 * 10 minutes, instead of a line per directory; any other reason: a line. Each asks for a full sync.
 */
import { countDirectories, watchLimitMessage } from '../../inotify/limits';
import { concatPath, describeName, joinRel, type PathName } from '../../paths';
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class UnwatchedReport implements Behaviour {
  readonly name = 'out-of-watches report';
  private ctx: DaemonContext | undefined;
  private dirs = 0;
  private other = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `watched` is how many directories the watch set-up has covered so far. */
  constructor(private readonly watched: () => number) {}

  /** What the status file shows as unwatched. */
  get count(): number {
    return this.dirs + this.other;
  }

  start(ctx: DaemonContext): void {
    this.ctx = ctx;
  }

  /** The watcher could not watch `path` (relative to the watched root). */
  unwatched(path: PathName, code: string): void {
    const ctx = this.ctx;
    if (!ctx) throw new Error('the watcher reported before the out-of-watches report was started');
    if (code === 'ENOSPC') {
      this.dirs += countDirectories(concatPath(ctx.watch, path.length ? '/' : '', path));
      if (!this.timer) this.timer = setTimeout(() => this.report(ctx), 0).unref();
      return;
    }
    this.other++;
    ctx.log.error(`cannot watch ${describeName(joinRel(ctx.watch, path))}: ${code}; a full sync covers it`);
    ctx.fullSync('unwatched');
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private report(ctx: DaemonContext): void {
    ctx.log.error(watchLimitMessage(this.dirs, this.watched()));
    ctx.fullSync('unwatched');
    this.timer = setTimeout(() => this.report(ctx), 10 * ctx.clock.minuteMs).unref();
  }
}
