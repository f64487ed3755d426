/**
 * `sersync2 --status FILE`: a monitoring check. The Nagios plugin line first, then the status for
 * people; a missing or foreign file is UNKNOWN (3), on stdout as the plugin guidelines want.
 */
import { evaluate, firstLine, NAGIOS } from '../status/check';
import { StatusError } from '../status/errors';
import { formatStatus, readStatusFile } from '../status/show';

export function showStatus(file: string, io: { out(text: string): void; err(text: string): void }, now: () => Date = () => new Date()): number {
  try {
    const snapshot = readStatusFile(file);
    const at = now();
    const result = evaluate(snapshot, at);
    io.out(firstLine(result.state, result.summary) + formatStatus(snapshot, at));
    return NAGIOS[result.state];
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    io.out(firstLine('UNKNOWN', error.message));
    return NAGIOS.UNKNOWN;
  }
}
