/**
 * What happens to a command that failed (by its exit policy: lib/command/exitCodes.ts):
 *
 * 1. As sersync2: one retry, from a single retry lane holding up to 5000 commands (beyond that they
 *    go straight to the fail log). If the retry fails, `#errno STATUS` and the command are appended
 *    to the fail log, the durable record.
 * 2. Beyond sersync2: the command stays in memory and is retried with a backoff (1 s doubling to
 *    30 s), in order, per remote, so a remote that comes back is caught up within 30 s, without
 *    waiting for the fail-log period. At most `maxBacklog` commands are kept; past that the
 *    oldest are dropped from memory (they are in the fail log) and a full sync is asked for once
 *    the remote answers again.
 * 3. Every `timeToExecute` minutes the fail log is taken aside and each entry run again; entries
 *    that fail again are written again. Entries that the backoff already caught up are skipped.
 */
import type { Clock } from '../clock';
import { type Command, render, scriptCommand } from '../command/model';
import { escapeControls } from '../paths';
import { type CommandResult, describeResult, succeeded, waitStatusOf } from '../runner/result';
import type { CommandRunner } from '../runner/shell';
import { failLogEntry, type FailLogFile } from './file';
import { OperatorNotices } from './operatorNotices';

export interface FailureHandler {
  /** A command failed with this result; its remote's commands are retried in order. */
  failed(result: CommandResult): void;
  /** Commands waiting for a retry. */
  readonly backlog: number;
  /** Resolves when no retry is running (used when stopping). */
  idle(): Promise<void>;
  /** Writes what still waits for its first retry to the fail log (used when stopping). */
  flush(header: string): void;
}

export const RETRY_QUEUE_LIMIT = 5000;

export interface FailuresOptions {
  readonly runner: CommandRunner;
  readonly failLog: FailLogFile;
  readonly clock: Clock;
  readonly log: { warn(message: string): void; info(message: string): void; error(message: string): void };
  /** Minutes between runs of the fail log. */
  readonly timeToExecute: number;
  /** Asked for when commands had to be dropped from memory and their remote answers again. */
  readonly requestFullSync: () => void;
  /** Told the outcome of each retry and fail-log rerun (the status file's and metrics' per-remote counts). */
  readonly onRetried?: (result: CommandResult) => void;
  /** A fail-log line back as the command it was (remote included); without it, a script line of no remote. */
  readonly readCommand?: (text: string) => Command;
  readonly maxBacklog?: number;
  readonly backoffMs?: { readonly first: number; readonly max: number };
}

interface Lane {
  readonly commands: Command[];
  delay: number;
  timer: ReturnType<Clock['setTimeout']> | undefined;
  running: boolean;
  dropped: boolean;
}

export class Failures implements FailureHandler {
  private readonly firstRetry: Command[] = [];
  /** The first retry running now (taken off firstRetry, not yet recorded). */
  private retrying = 0;
  private firstRetryActive: Promise<void> | undefined;
  private readonly lanes = new Map<string, Lane>();
  private readonly caughtUp = new Set<string>();
  private failLogTimer: ReturnType<Clock['setTimeout']> | undefined;
  private failLogRun: Promise<void> | undefined;
  private stopped = false;
  private readonly maxBacklog: number;
  private readonly backoff: { readonly first: number; readonly max: number };
  private readonly notices: OperatorNotices;

  constructor(private readonly o: FailuresOptions) {
    this.maxBacklog = o.maxBacklog ?? 10_000;
    this.backoff = o.backoffMs ?? { first: 1000, max: 30_000 };
    this.notices = new OperatorNotices((message) => o.log.error(message));
  }

  /** Commands waiting for a retry or being retried: 0 says no retry is left to run or to record. */
  get backlog(): number {
    let n = this.firstRetry.length + this.retrying;
    for (const lane of this.lanes.values()) n += lane.commands.length;
    return n;
  }

  /** Starts the fail-log schedule. */
  start(): void {
    this.scheduleFailLog();
  }

  stop(): void {
    this.stopped = true;
    if (this.failLogTimer) this.o.clock.clearTimeout(this.failLogTimer);
    for (const lane of this.lanes.values()) if (lane.timer) this.o.clock.clearTimeout(lane.timer);
  }

  failed(result: CommandResult): void {
    this.notices.failed(result);
    if (this.firstRetry.length >= RETRY_QUEUE_LIMIT) {
      this.record(result);
      return;
    }
    this.firstRetry.push(result.command);
    this.firstRetryActive ??= this.drainFirstRetries().finally(() => (this.firstRetryActive = undefined));
  }

  private async drainFirstRetries(): Promise<void> {
    for (let command = this.firstRetry.shift(); command; command = this.firstRetry.shift()) {
      this.retrying++;
      const result = await this.retry(command).finally(() => this.retrying--);
      if (!succeeded(result)) this.record(result);
    }
  }

  /** Runs a command again; its outcome is told to the status and the operator notices. */
  private async retry(command: Command): Promise<CommandResult> {
    const result = await this.o.runner.run(command);
    this.o.onRetried?.(result);
    if (succeeded(result)) this.notices.succeeded(result);
    else this.notices.failed(result);
    return result;
  }

  /** Second failure: into the fail log, and into the backoff lane of its remote. */
  private record(result: CommandResult): void {
    const { text } = result;
    this.o.log.warn(`command failed again (${describeResult(result)}, wait status ${waitStatusOf(result.exit)}), kept in the fail log: ${escapeControls(text)}`);
    this.keep([failLogEntry(`errno ${waitStatusOf(result.exit)}`, text)]);
    this.caughtUp.delete(text);
    if (this.stopped) return;
    const laneName = result.remote ?? '';
    let lane = this.lanes.get(laneName);
    if (!lane) {
      lane = { commands: [], delay: this.backoff.first, timer: undefined, running: false, dropped: false };
      this.lanes.set(laneName, lane);
    }
    lane.commands.push(result.command);
    if (this.backlog > this.maxBacklog) {
      lane.commands.shift();
      lane.dropped = true;
    }
    if (!lane.timer && !lane.running) this.scheduleLane(lane);
  }

  private scheduleLane(lane: Lane): void {
    if (this.stopped) return;
    lane.timer = this.o.clock.setTimeout(() => {
      lane.timer = undefined;
      return this.runLane(lane);
    }, lane.delay);
    lane.timer.unref();
  }

  /** Runs the lane's commands in order while they succeed; backs off at the first failure. */
  private async runLane(lane: Lane): Promise<void> {
    lane.running = true;
    while (lane.commands.length > 0 && !this.stopped) {
      const result = await this.retry(lane.commands[0]!);
      if (!succeeded(result)) {
        lane.delay = Math.min(lane.delay * 2, this.backoff.max);
        lane.running = false;
        this.scheduleLane(lane);
        return;
      }
      lane.commands.shift();
      this.caughtUp.add(result.text);
      lane.delay = this.backoff.first;
      if (lane.dropped) {
        lane.dropped = false;
        this.o.log.warn('a remote is back after more failures than were kept in memory: running a full sync');
        this.o.requestFullSync();
      }
    }
    lane.running = false;
  }

  private scheduleFailLog(): void {
    if (this.stopped) return;
    this.failLogTimer = this.o.clock.setTimeout(() => {
      this.failLogRun = this.runFailLog().finally(() => {
        this.failLogRun = undefined;
        this.scheduleFailLog();
      });
      return this.failLogRun;
    }, this.o.timeToExecute * this.o.clock.minuteMs);
    this.failLogTimer.unref();
  }

  /** Runs each entry of the fail log once; what fails is written again. In turn with another config of the same file. */
  runFailLog(): Promise<void> {
    return this.o.failLog.oneRunAtATime(() => this.runFailLogNow());
  }

  private async runFailLogNow(): Promise<void> {
    let taken: ReturnType<FailLogFile['takeAside']>;
    try {
      taken = this.o.failLog.takeAside();
    } catch (error) {
      this.o.log.error((error as Error).message);
      return;
    }
    if (taken.entries.length === 0) return;
    this.o.log.info(`running the fail log ${this.o.failLog.path}: ${taken.entries.length} commands`);
    const again: string[] = [];
    const read = this.o.readCommand ?? ((text: string) => scriptCommand(text));
    for (const entry of taken.entries) {
      if (this.caughtUp.has(entry.command)) continue;
      const result = await this.retry(read(entry.command));
      if (!succeeded(result)) again.push(failLogEntry(`errno ${waitStatusOf(result.exit)}`, result.text));
    }
    // Unwritten, the entries stay in the file set aside, merged back at the next start.
    if (this.keep(again)) taken.finish();
    this.caughtUp.clear();
    if (again.length) this.o.log.warn(`${again.length} fail-log commands failed again and stay in ${this.o.failLog.path}`);
  }

  async idle(): Promise<void> {
    while (this.firstRetryActive || this.failLogRun) await (this.firstRetryActive ?? this.failLogRun);
  }

  flush(header: string): void {
    this.keep(this.firstRetry.splice(0).map((command) => failLogEntry(header, render(command))));
  }

  /**
   * Appends to the fail log. One that cannot be written (its directory gone, the disk full) is an
   * ERROR line naming the commands, never a crash: this config's failures are its own, and the
   * commands are still retried from memory.
   */
  private keep(entries: readonly string[]): boolean {
    try {
      this.o.failLog.append(entries);
      return true;
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      this.o.log.error(`cannot write the fail log ${this.o.failLog.path} (${why}); not kept there: ${escapeControls(entries.join(''))}`);
      return false;
    }
  }
}
