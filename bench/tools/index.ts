/** The tools every scenario runs, in table column order; the reference only when its binary is given; ours on fanotify only when named in BENCH_TOOLS (bench/options.ts). */
import { lsyncdTool } from './lsyncd';
import { loopTool } from './inotifywait';
import { referenceTool } from './reference';
import { batchTool, compatTool, fanotifyTool } from './sersync';
import type { Tool } from './types';

export function benchTools(sersync2Ref: string | undefined): Tool[] {
  return [compatTool, batchTool, lsyncdTool, loopTool, ...(sersync2Ref ? [referenceTool(sersync2Ref)] : []), fanotifyTool];
}
