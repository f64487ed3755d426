/** The http plugin: a form POST of `watchroot=W&isdir=0|1&inotifyPath=ABSPATH&mask=N` per event. */
import http from 'node:http';
import type { PathName } from '../../paths';

/** Form-encodes bytes: unreserved characters stay, everything else is %XX of its bytes. */
export function formEncode(value: PathName): string {
  const bytes = Buffer.from(value);
  let out = '';
  for (const b of bytes) out += (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e || b === 0x2f ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export function httpForm(watchRoot: string, absolutePath: PathName, isDir: boolean, mask: number): string {
  return `watchroot=${formEncode(watchRoot)}&isdir=${isDir ? 1 : 0}&inotifyPath=${formEncode(absolutePath)}&mask=${mask}`;
}

export function postForm(url: URL, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      timeout: timeoutMs,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), Connection: 'close' },
    });
    request.once('timeout', () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    request.once('error', reject);
    request.once('response', (response) => {
      response.resume();
      response.once('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(status);
        else reject(new Error(`HTTP ${status}`));
      });
    });
    request.end(body);
  });
}
