/** The refreshCDN plugin: a purge request per event; the CDN's replies go to the error log. */
import path from 'node:path';
import type { PluginModule } from '../plugin';
import { withRetries } from '../socket/send';
import { appendErrorLog, maskPassword, purgeRequest, sendPurge } from './request';

export const refreshCdnPlugin: PluginModule<'refreshCDN'> = {
  name: 'refreshCDN',
  delivery(ctx) {
    const plugin = ctx.config.plugins.refreshCDN!;
    const errorLog = ctx.errorLog ?? path.resolve('errorlog.txt');
    return async (event) => {
      const request = purgeRequest(plugin, ctx.abs(event.path), event.isDir);
      try {
        const whatsup = await withRetries(ctx.limits, () => sendPurge(plugin.cdninfo.domainname, plugin.cdninfo.port, request, ctx.limits.timeoutMs));
        if (whatsup) appendErrorLog(errorLog, whatsup);
      } catch (error) {
        throw new Error(`${(error as Error).message} (${maskPassword(request.split('\r\n')[0]!)})`);
      }
    };
  },
};
