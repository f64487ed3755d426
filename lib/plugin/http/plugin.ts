/** The http plugin: a form POST per event. */
import type { PluginModule } from '../plugin';
import { withRetries } from '../socket/send';
import { httpForm, postForm } from './post';

export const httpPlugin: PluginModule<'http'> = {
  name: 'http',
  delivery(ctx) {
    const { url } = ctx.config.plugins.http!;
    return async (event) => {
      await withRetries(ctx.limits, () => postForm(url, httpForm(ctx.watch, ctx.abs(event.path), event.isDir, event.mask), ctx.limits.timeoutMs));
    };
  },
};
