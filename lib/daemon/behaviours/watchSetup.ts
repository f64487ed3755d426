/** Puts the watches in place (a full walk of the tree); on a terminal, a progress line after 200 ms. */
import { ProgressLine } from '../../progress/line';
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class WatchSetup implements Behaviour {
  readonly name = 'watch set-up';
  /** Directories watched so far, as the walk reports them. */
  watchedSoFar = 0;
  private progressLine: ProgressLine | undefined;

  async start(ctx: DaemonContext): Promise<void> {
    this.progressLine = new ProgressLine(process.stdout, (seconds) => `setting up watches: ${this.watchedSoFar} directories, ${seconds} s`);
    let watched: number;
    try {
      watched = await ctx.watcher.start();
    } finally {
      this.progressLine.finish();
      this.progressLine = undefined;
    }
    ctx.log.debug(`watching ${watched} directories`);
  }

  /** The watcher's progress during the walk. */
  progress(watches: number): void {
    this.watchedSoFar = watches;
    this.progressLine?.tick();
  }
}
