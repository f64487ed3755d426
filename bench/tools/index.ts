/** The tools every scenario runs, in table column order. */
import { lsyncdTool } from './lsyncd';
import { loopTool } from './inotifywait';
import { batchTool, compatTool } from './sersync';
import type { Tool } from './types';

export const TOOLS: readonly Tool[] = [compatTool, batchTool, lsyncdTool, loopTool];
