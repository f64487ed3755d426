/** errno numbers by name: os.constants.errno has them (fs.constants has none). */
import os from 'node:os';

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(os.constants.errno).map(([name, value]) => [value, name]));

/** `ENOENT` for 2; `errno N` for a number the table lacks. */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? `errno ${errno}`;
}
