/** The socket plugin: the event's absolute path sent over TCP. */
import type { PluginModule } from '../plugin';
import { sendOnce, withRetries } from './send';

export const socketPlugin: PluginModule<'socket'> = {
  name: 'socket',
  delivery(ctx) {
    const { ip, port } = ctx.config.plugins.socket!.deshost;
    return (event) => withRetries(ctx.limits, () => sendOnce(ip, port, Buffer.from(ctx.abs(event.path)), ctx.limits.timeoutMs));
  },
};
