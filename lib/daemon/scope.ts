/**
 * The daemon's resources as one lifecycle scope, and its one teardown. Each resource is registered
 * as it is opened, with what it does in each phase of the close; close() runs the phases in order,
 * each resource's steps of a phase the last registered first, every step once:
 *   intake  no new work: the watcher, the timers that create work (crontab, fail-log period), the workers' intake;
 *   drain   what runs finishes (commands, retries, plugin deliveries);
 *   record  what is left is written down (the queued events and pending retries, to the fail log);
 *   close   the rest: the status file's last write, the metrics server, the signal handlers.
 * The graceful stop is close(); a start-up that fails half-way closes, the same way, exactly what it
 * had opened, so nothing keeps the process alive or running commands after it has reported its error.
 */
export type Phase = 'intake' | 'drain' | 'record' | 'close';

const PHASES: readonly Phase[] = ['intake', 'drain', 'record', 'close'];

export type Step = () => void | Promise<void>;

/** What a resource does in each phase; a phase it has nothing to do in is left out. */
export type Steps<T> = { readonly [P in Phase]?: (resource: T) => void | Promise<void> };

interface Registered {
  readonly name: string;
  readonly phase: Phase;
  readonly step: Step;
}

export class Scope {
  private readonly steps: Registered[] = [];
  private closing: Promise<Error[]> | undefined;
  private hurry: () => void = () => {};
  private readonly hurried = new Promise<void>((resolve) => (this.hurry = resolve));

  /** Registers `resource` with its steps and returns it, so it can be opened and registered in one expression. */
  add<T>(name: string, resource: T, steps: Steps<T>): T {
    for (const phase of PHASES) {
      const step = steps[phase];
      if (step) this.defer(name, () => step(resource), phase);
    }
    return resource;
  }

  /** Registers one step; one registered after close() has begun runs at once (a late resource is not leaked). */
  defer(name: string, step: Step, phase: Phase = 'close'): void {
    if (this.closing) {
      // Nobody awaits it any more: its error can only be dropped.
      void this.closing.then(() => step()).catch(() => {});
      return;
    }
    this.steps.push({ name, phase, step });
  }

  /** Resolves once leaveNow() is called: what hangs on this scope's life can leave with it. */
  get leaving(): Promise<void> {
    return this.hurried;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Runs every step, phase by phase; a step that throws does not stop the others. Idempotent: later
   * calls get the same result. Resolves to the errors, each naming its resource.
   */
  close(): Promise<Error[]> {
    this.closing ??= (async () => {
      const registered = this.steps.splice(0).reverse();
      const errors: Error[] = [];
      for (const phase of PHASES) {
        for (const { name, step } of registered.filter((r) => r.phase === phase)) {
          try {
            // Leaving now (a second stop signal): what still runs is not waited for.
            await (phase === 'drain' ? this.unlessHurried(step) : step());
          } catch (error) {
            errors.push(new Error(`closing ${name}: ${(error as Error).message}`));
          }
        }
      }
      return errors;
    })();
    return this.closing;
  }

  private unlessHurried(step: Step): Promise<void> {
    const running = Promise.resolve().then(step);
    // Its end no longer matters once left: a late error must not go unhandled.
    running.catch(() => {});
    return Promise.race([running, this.hurried]);
  }

  /** The drain is no longer waited for, from now on (it may be under way): the close goes on to record and close. */
  leaveNow(): Promise<Error[]> {
    this.hurry();
    return this.close();
  }
}
