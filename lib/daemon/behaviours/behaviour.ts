/**
 * What the daemon does besides mirroring events (the `-r` full sync, the crontab, the fail-log
 * period, the out-of-watches report, the status file, signals and shutdown), each a small
 * behaviour behind one interface, as concurrently's flow controllers: run.ts opens the parts and
 * starts the behaviours in order; each started one's stop is a step of the daemon's scope.
 */
import type { DaemonContext } from '../context';
import type { Scope } from '../scope';

/** A config's behaviours get its DaemonContext; the process's own (signals, shutdown) a ProcessContext. */
export interface Behaviour<C extends { readonly exited: boolean } = DaemonContext> {
  /** Names it in the scope's errors. */
  readonly name: string;
  /** Runs when start-up reaches it; start-up goes on once it resolves. */
  start(ctx: C): void | Promise<void>;
  /** Stops the work it would create (timers); called once, in the scope's first phase (intake). */
  stop?(): void | Promise<void>;
}

export class Behaviours {
  constructor(private readonly scope: Scope) {}

  /** Starts each in turn; none after the daemon has exited (a start-up abandoned by a second signal). */
  async start<C extends { readonly exited: boolean }>(behaviours: ReadonlyArray<Behaviour<C>>, ctx: C): Promise<void> {
    for (const behaviour of behaviours) {
      if (ctx.exited) return;
      // Registered before it starts, so one that fails half-way is stopped too.
      const { stop } = behaviour;
      if (stop) this.scope.defer(behaviour.name, () => stop.call(behaviour), 'intake');
      await behaviour.start(ctx);
    }
  }
}
