/** `<crontab>`: a full sync of every remote on its schedule (off with -m, and with the filter unless it has its own). */
import { CrontabTimer, crontabActive } from '../../crontab/timer';
import type { DaemonContext } from '../context';
import type { Behaviour } from './behaviour';

export class Crontab implements Behaviour {
  readonly name = 'crontab';
  private timer: CrontabTimer | undefined;

  start(ctx: DaemonContext): void {
    const { crontab } = ctx.config.sersync;
    if (ctx.options.plugin || !crontabActive(crontab, ctx.config.filter.enabled)) return;
    this.timer = new CrontabTimer(crontab.schedule, ctx.clock, () => {
      ctx.log.info('crontab: full sync of every remote');
      ctx.fullSync('crontab');
    });
    this.timer.start();
  }

  stop(): void {
    this.timer?.stop();
  }
}
