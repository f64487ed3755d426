/**
 * The daemon's signal handlers, installed before anything else happens at start-up.
 *
 * Until a listener is added, Node leaves SIGTERM and SIGINT at the kernel's default (the process
 * dies at once) and SIGUSR1 opens the inspector port. A watchdog that sends SIGTERM during the
 * watch setup or the `-r` full sync must get the same graceful stop as later on, so every signal
 * is caught from the first line of start-up and handed to the daemon once it is ready for it.
 */
export type StopSignal = 'SIGTERM' | 'SIGINT';
export type InfoSignal = 'SIGUSR1' | 'SIGHUP';

/** Called for each stop signal; `again` is true from the second one on (leave now). */
export type StopHandler = (signal: StopSignal, again: boolean) => void;

/** The part of `process` used here; tests may pass an EventEmitter. */
export interface SignalSource {
  on(signal: string, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: string, listener: (signal: NodeJS.Signals) => void): unknown;
}

export class DaemonSignals {
  private readonly received: StopSignal[] = [];
  private stopHandler: StopHandler | undefined;
  private readonly info = new Map<InfoSignal, () => void>();
  private readonly secondWaiters: Array<(signal: StopSignal) => void> = [];
  private readonly listeners: Array<[string, (signal: NodeJS.Signals) => void]>;

  /** `early` hears the stop signals that arrive before onStop (start-up), e.g. to log them. */
  constructor(
    private readonly early: StopHandler = () => {},
    private readonly source: SignalSource = process,
  ) {
    const stop = (signal: NodeJS.Signals) => this.receiveStop(signal as StopSignal);
    const info = (signal: NodeJS.Signals) => this.info.get(signal as InfoSignal)?.();
    this.listeners = [
      ['SIGTERM', stop],
      ['SIGINT', stop],
      ['SIGUSR1', info],
      ['SIGHUP', info],
    ];
    for (const [signal, listener] of this.listeners) source.on(signal, listener);
  }

  /** A stop signal has arrived (the daemon stops as soon as start-up reaches its end). */
  get stopRequested(): boolean {
    return this.received.length > 0;
  }

  /** From now on stop signals go to `handler`; any that came earlier are handed over at once. */
  onStop(handler: StopHandler): void {
    this.stopHandler = handler;
    this.received.forEach((signal, i) => {
      handler(signal, i > 0);
    });
  }

  /** What SIGUSR1 or SIGHUP does; before this is set, they are caught and ignored. */
  onInfo(signal: InfoSignal, handler: () => void): void {
    this.info.set(signal, handler);
  }

  /** Resolves at the second stop signal received before onStop: start-up is abandoned. */
  secondStop(): Promise<StopSignal> {
    return new Promise((resolve) => this.secondWaiters.push(resolve));
  }

  dispose(): void {
    for (const [signal, listener] of this.listeners) this.source.off(signal, listener);
  }

  private receiveStop(signal: StopSignal): void {
    if (this.stopHandler) {
      this.stopHandler(signal, this.received.length > 0);
      this.received.push(signal);
      return;
    }
    this.early(signal, this.received.length > 0);
    this.received.push(signal);
    if (this.received.length > 1) for (const resolve of this.secondWaiters.splice(0)) resolve(signal);
  }
}
