/**
 * `--metrics-file FILE`: the metrics text, rewritten atomically every status interval, for
 * node_exporter's textfile collector (which reads `*.prom`; the temporary file is not one).
 */
import { writeFileAtomic } from '../status/writer';
import type { MetricsSource } from './server';

const METRICS_FILE_MODE = 0o644;

export class MetricsFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly source: MetricsSource,
    private readonly warn: (message: string) => void,
  ) {}

  start(): void {
    void this.write();
    this.timer = setInterval(() => void this.write(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer after one last write, so the file shows the state at shutdown. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.write();
  }

  /** One write at a time: a slow disk never has two renames racing. */
  write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      try {
        writeFileAtomic(this.file, await this.source.text(), METRICS_FILE_MODE);
        this.lastError = undefined;
      } catch (error) {
        const message = `cannot write the metrics file ${this.file}: ${(error as Error).message}`;
        if (message !== this.lastError) this.warn(message);
        this.lastError = message;
      }
    });
    return this.writing;
  }
}
