/**
 * The refreshCDN plugin: one HTTP/1.0 HEAD request per event to the CDN's purge API, and the
 * reply's `whatsup` line appended to errorlog.txt, as sersync2 does.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { PathName } from '../../paths';
import { translateSersyncRegex } from '../../filter/regex';
import { formEncode } from '../http/post';
import type { RefreshCdnPluginConfig } from './config';

/**
 * The URL to purge: `sendurl base` plus the path below the watch, or the regexurl rewrite of it.
 * What comes from the path is percent-encoded, byte by byte (all but letters, digits, `-._~` and
 * `/`), so a name is only ever a path: `a&dirs=http://site/` cannot add a parameter to the
 * request, a newline cannot end its line. The base is the operator's and keeps its punctuation.
 */
export function purgeUrl(plugin: RefreshCdnPluginConfig, absolutePath: PathName): string {
  // The regex works on text; raw bytes are read one char per byte, and given back as those bytes.
  const text = typeof absolutePath === 'string' ? absolutePath : absolutePath.toString('latin1');
  const encode = (part: string) => formEncode(typeof absolutePath === 'string' ? part : Buffer.from(part, 'latin1'));
  const base = encodeUrl(plugin.sendurl);
  const below = text.startsWith(`${plugin.watch}/`) ? text.slice(plugin.watch.length) : text;
  if (!plugin.regexurl.enabled) return base + encode(below);
  // Checked when the config was loaded; a search, not a whole-string match, finds the part to rewrite.
  const compiled = translateSersyncRegex(plugin.regexurl.match, false);
  const m = compiled.ok ? compiled.regex.exec(text) : null;
  if (!m) return base + encode(below);
  return base + encode((m[1] ?? '') + text.slice(m.index + m[0].length));
}

export function purgeRequest(plugin: RefreshCdnPluginConfig, absolutePath: PathName, isDir: boolean): string {
  const url = purgeUrl(plugin, absolutePath);
  const { username, passwd, domainname } = plugin.cdninfo;
  const target = isDir ? `dirs=${url}/` : `urls=${url}`;
  return `HEAD /index.jsp?user=${formEncode(username)}&pswd=${formEncode(passwd)}&ok=ok&${target} HTTP/1.0\r\nHost: ${domainname}\r\n\r\n`;
}

/** Keeps a URL's own punctuation, encodes what would break the request line. */
function encodeUrl(url: string): string {
  return url.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$'()*+,;=%]/g, (c) => formEncode(c));
}

/** Never log the CDN password. */
export function maskPassword(request: string): string {
  return request.replace(/pswd=[^&\s]*/g, 'pswd=***');
}

/** Sends the request; resolves to the reply's `whatsup` line ('' when there is none). */
export function sendPurge(host: string, port: number, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      const reply = Buffer.concat(chunks).toString('latin1');
      resolve(reply.split(/\r?\n/).find((line) => /whatsup/i.test(line)) ?? '');
    });
  });
}

export function appendErrorLog(file: string, line: string): void {
  fs.appendFileSync(file, `${line}\n`, { mode: 0o600 });
}
