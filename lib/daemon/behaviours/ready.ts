/** The end of a config's start-up: sersync2's lines. */
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class Ready implements Behaviour {
  readonly name = 'ready';

  start(ctx: DaemonContext): void {
    ctx.log.info('run the sersync: ');
    ctx.log.info(`watch path is: ${ctx.watch}`);
  }
}
