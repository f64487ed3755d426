/** Where the bench finds what it measures, from dist/bench (the compiled bench runs there). */
import path from 'node:path';

/** The executable operators run: its #! line's V8 flags apply as in production. */
export const BIN = path.resolve(__dirname, '../../bin/sersync2');
/** The stock confxml.xml of sersync2 2.5.4, which our config is written from. */
export const STOCK_CONFIG = path.resolve(__dirname, '../../fixtures/golden/stock-confxml.xml');
/** The out-of-process workload generator (workload/generator.ts, shared with the tests). */
export const GENERATOR = path.resolve(__dirname, '../workload/generator.js');
