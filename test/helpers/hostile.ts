/**
 * File names that try to run `touch CANARY` through every way a name can be misread: a newline
 * then a command (also doubled, at the end, at the start), quotes, a backtick, `$()`, a `\` before
 * a newline, a fake fail-log header, a leading U+FEFF, bytes that are not UTF-8; and, for the
 * plugins' requests, `&`, `=`, `?`, `#` and CR LF.
 */
import fs from 'node:fs';

export const HOSTILE_NAMES: Array<string | Buffer> = [
  'x\ntouch CANARY #',
  'two\n\ntouch CANARY #',
  'trailing\n',
  'trailing-two\n\n',
  '\nleading',
  'dq"; touch CANARY; "',
  'bt`touch CANARY`',
  '$(touch CANARY)',
  'bs\\\ntouch CANARY #',
  "sq'\ntouch CANARY #'",
  'x\n#errno 0\ntouch CANARY #',
  'x\n#lines 1\ntouch CANARY #',
  '\ufeffbom',
  'a&dirs=http:&urls=x?y=1#f',
  'crlf\r\nX-Evil: 1\r\n\r\n',
  Buffer.concat([Buffer.from([0x72, 0xff, 0xfe]), Buffer.from('\ntouch CANARY #')]),
];

/** Files named exactly CANARY, anywhere under `root` (names that merely hold the word are the test's own). */
export function canaries(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: Buffer) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
      const abs = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      if (entry.name.toString() === 'CANARY') found.push(abs.toString());
      if (entry.isDirectory()) walk(abs);
    }
  };
  walk(Buffer.from(root));
  return found;
}

