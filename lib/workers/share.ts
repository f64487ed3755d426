/**
 * The instances of one process share its machine. A storm keeps `-n` commands of one instance
 * running without pause, and a small burst into another then competes with all of them for the
 * CPU, the disk and the remote's daemon (measured on 2 cores: a burst of 200 files 1.2-1.4× slower
 * beside a storm running 10 rsyncs at once, 1.05× beside one running one at a time).
 *
 * So a long backlog yields to a short one, as a scheduler runs short jobs first: an instance is
 * held to one command at a time while another instance has work (events queued or running), at
 * most half as much as it has, and has been busy (a command running) less than half of the last
 * seconds (an exponential average, time constant LOAD_WINDOW_MS). The burst then runs nearly
 * as if alone (the storm's running commands end within one command's time), and the storm never
 * stops: its one command goes on.
 *
 * The held one runs its full `-n` again as soon as the light one has no work left, or has been
 * busy for more than about 0.7 × LOAD_WINDOW_MS (then it is no burst but a load of its own, and
 * the two share the machine as two processes would). Nor is an instance held for more than about
 * half of the last seconds, however many light ones take turns: a host of many configs with small
 * changes slows a storm at most about twice. An instance alone in its process is never held, and
 * commands already running are never touched.
 */
import { performance } from 'node:perf_hooks';

/** The time constant of the busy average: what happened this long ago weighs 1/e of now. */
export const LOAD_WINDOW_MS = 2000;
/** Below this busy average, an instance with the shorter backlog goes first. */
const LIGHT = 0.5;
/** From this held average on, nobody holds an instance. */
const MOSTLY_HELD = 0.5;
/** How often held instances look again while averages drift with no command starting or ending. */
const RECHECK_MS = 100;

export class WorkShare {
  private readonly seats = new Set<Seat>();
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    readonly now: () => number = () => performance.now(),
    readonly windowMs = LOAD_WINDOW_MS,
  ) {}

  /**
   * A seat for an instance of `threads` workers; `backlog` counts its queued and running events,
   * and `wake` is called when it may start more after being held.
   */
  join(threads: number, backlog: () => number, wake: () => void): Seat {
    const seat = new Seat(this, threads, backlog, wake);
    this.seats.add(seat);
    return seat;
  }

  /** @internal Seat.leave */
  remove(seat: Seat): void {
    this.seats.delete(seat);
    this.changed();
  }

  /** Whether `seat` is to run one command at a time now. */
  holds(seat: Seat): boolean {
    if (this.seats.size < 2) return false;
    const now = this.now();
    // Held most of the last seconds already (by one light instance after another): it runs.
    if (seat.heldAt(now) >= MOSTLY_HELD) return false;
    const mine = seat.backlog();
    for (const other of this.seats) {
      if (other === seat) continue;
      const theirs = other.backlog();
      if (theirs > 0 && theirs * 2 <= mine && other.busyAt(now) < LIGHT) return true;
    }
    return false;
  }

  /** @internal A seat's commands changed: held seats that are no longer held start again. */
  changed(): void {
    let waiting = false;
    for (const seat of this.seats) {
      if (!seat.held) continue;
      if (this.holds(seat)) waiting = true;
      else seat.release();
    }
    if (waiting && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.changed();
      }, RECHECK_MS);
      this.recheck.unref();
    } else if (!waiting && this.recheck) {
      clearTimeout(this.recheck);
      this.recheck = undefined;
    }
  }
}

/** An exponential average of a yes/no state over time (how much of the last windows it was on), and its time on in all. */
class Average {
  private value = 0;
  private since: number;
  private state = false;
  private onMs = 0;

  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.since = now;
  }

  get on(): boolean {
    return this.state;
  }

  at(now: number): number {
    const x = this.state ? 1 : 0;
    return x + (this.value - x) * Math.exp(-Math.max(0, now - this.since) / this.windowMs);
  }

  /** Milliseconds it has been on since it was made. */
  totalAt(now: number): number {
    return this.onMs + (this.state ? Math.max(0, now - this.since) : 0);
  }

  set(on: boolean, now: number): void {
    if (on === this.state) return;
    this.onMs = this.totalAt(now);
    this.value = this.at(now);
    this.since = now;
    this.state = on;
  }
}

/** One instance's place in the share: its jobs running, how busy and how held it has been. */
export class Seat {
  private jobs = 0;
  private readonly busy: Average;
  private readonly holding: Average;

  constructor(
    private readonly share: WorkShare,
    private readonly threads: number,
    readonly backlog: () => number,
    private readonly wake: () => void,
  ) {
    this.busy = new Average(share.windowMs, share.now());
    this.holding = new Average(share.windowMs, share.now());
  }

  /** Was refused a second command and waits to be woken. */
  get held(): boolean {
    return this.holding.on;
  }

  /** How much of the last seconds it had a command running. */
  busyAt(now: number): number {
    return this.busy.at(now);
  }

  /** How much of the last seconds it was held. */
  heldAt(now: number): number {
    return this.holding.at(now);
  }

  /** Seconds it has been held in all (the status file's `heldSeconds`). */
  heldSeconds(): number {
    return this.holding.totalAt(this.share.now()) / 1000;
  }

  /** How many jobs may run now: the instance's workers, or one while it is held. */
  allowed(): number {
    const held = this.share.holds(this);
    if (held !== this.held) {
      // Its pool is asking: no wake is needed when the hold ends here.
      this.holding.set(held, this.share.now());
      if (held) this.share.changed();
    }
    return held ? 1 : this.threads;
  }

  /** The pool's jobs running are now `jobs`. */
  set(jobs: number): void {
    if (jobs === this.jobs) return;
    this.jobs = jobs;
    this.busy.set(jobs > 0, this.share.now());
    this.share.changed();
  }

  /** @internal WorkShare.changed */
  release(): void {
    this.holding.set(false, this.share.now());
    this.wake();
  }

  /** The instance stops: the others no longer count it. */
  leave(): void {
    this.share.remove(this);
  }
}
