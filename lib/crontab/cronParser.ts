/**
 * cron-parser, loaded on first use: most configs give the crontab period in minutes, and the
 * package (with luxon) costs about 6 MB of memory and 30 ms of start-up that they never need.
 */
import type { CronExpressionParser as Parser } from 'cron-parser';

let parser: typeof Parser | undefined;

export function cronExpressionParser(): typeof Parser {
  parser ??= (require('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return parser;
}
