/** The http plugin: a form POST per event. */
import { changeMask } from '../../inotify/change';
import type { PluginModule } from '../plugin';
import { withRetries } from '../socket/send';
import { httpForm, postForm } from './post';

export const httpPlugin: PluginModule<'http'> = {
  name: 'http',
  delivery(ctx) {
    const { url } = ctx.config.plugins.http!;
    return async (event) => {
      await withRetries(ctx.limits, () => postForm(url, httpForm(ctx.watch, ctx.abs(event.path), event.isDir, changeMask(event.cause, event.isDir)), ctx.limits.timeoutMs));
    };
  },
};
