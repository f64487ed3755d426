/**
 * A progress line for long work (the `-r` full sync): on a terminal, one line rewritten in place
 * every 200 ms; anywhere else nothing at all, so logs, pipes and journald get only the plain
 * lines the daemon already prints.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const PROGRESS_INTERVAL_MS = 200;

export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private lastDraw = Date.now();
  private ticked = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly render: (elapsedSeconds: number) => string,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  get active(): boolean {
    return this.stream.isTTY === true;
  }

  start(): void {
    if (!this.active) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    // Never what keeps the process alive.
    this.timer.unref();
  }

  /** Clears the line, so the next log line starts at column 0 on an empty line. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[K');
  }

  /**
   * For synchronous work, where no timer can fire (the watch setup walks the tree in one go):
   * draws when the interval has passed since the last draw. Call it as often as convenient.
   */
  tick(): void {
    if (!this.active) return;
    const now = Date.now();
    if (now - this.lastDraw < this.intervalMs) return;
    this.draw();
    this.ticked = true;
  }

  /** Clears a line drawn by tick(). */
  finish(): void {
    if (this.ticked) this.stream.write('\r\x1b[K');
    this.ticked = false;
  }

  private draw(): void {
    this.lastDraw = Date.now();
    // \r and erase-to-end-of-line: the line shrinks cleanly when the text gets shorter.
    this.stream.write(`\r\x1b[K${this.render(Math.floor((Date.now() - this.started) / 1000))}`);
  }
}
