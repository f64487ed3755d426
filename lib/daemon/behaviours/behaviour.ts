/**
 * What the daemon does besides mirroring events (the `-r` full sync, the crontab, the fail-log
 * period, the out-of-watches report, the status file, signals and shutdown), each a small
 * behaviour behind one interface, as concurrently's flow controllers: run.ts opens the parts and
 * starts the behaviours in order; each started one's stop is registered in the daemon's scope.
 */
import type { DaemonContext } from '../context';
import type { Scope } from '../scope';

export interface Behaviour {
  /** Names it in the scope's errors. */
  readonly name: string;
  /** Runs when start-up reaches it; start-up goes on once it resolves. */
  start(ctx: DaemonContext): void | Promise<void>;
  /** Stops what it started (timers, watches); called once, at the graceful stop or when the scope closes. */
  stop?(): void | Promise<void>;
}

export class Behaviours {
  private readonly stops: Array<() => Promise<void>> = [];

  constructor(private readonly scope: Scope) {}

  /** Starts each in turn; none after the daemon has exited (a start-up abandoned by a second signal). */
  async start(behaviours: readonly Behaviour[], ctx: DaemonContext): Promise<void> {
    for (const behaviour of behaviours) {
      if (ctx.exited) return;
      // Registered before it starts, so one that fails half-way is stopped too.
      let stopping: Promise<void> | undefined;
      const stop = () => (stopping ??= Promise.resolve().then(() => behaviour.stop?.()));
      this.stops.push(stop);
      this.scope.defer(behaviour.name, stop);
      await behaviour.start(ctx);
    }
  }

  /** Stops every started behaviour, the last started first, each once (the graceful stop's first step). */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}
