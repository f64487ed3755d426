/** `sersync2 --status FILE`: print a status file for people; exit 1 with one clear line when it cannot. */
import { StatusError } from '../status/errors';
import { formatStatus, readStatusFile } from '../status/show';

export function showStatus(file: string, io: { out(text: string): void; err(text: string): void }): number {
  try {
    io.out(formatStatus(readStatusFile(file)));
    return 0;
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    io.err(`sersync2: ${error.message}\n`);
    return 1;
  }
}
