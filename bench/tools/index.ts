/** The tools every scenario runs, in table column order; the reference only when its binary is given. */
import { lsyncdTool } from './lsyncd';
import { loopTool } from './inotifywait';
import { referenceTool } from './reference';
import { batchTool, compatTool } from './sersync';
import type { Tool } from './types';

export function benchTools(sersync2Ref: string | undefined): Tool[] {
  return [compatTool, batchTool, lsyncdTool, loopTool, ...(sersync2Ref ? [referenceTool(sersync2Ref)] : [])];
}
