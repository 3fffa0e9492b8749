/**
 * Every bench case, in the order the table shows them. A case is a module exporting a
 * BenchCase (bench/lib/case.ts); adding one is an import and a line here.
 */
import type { BenchCase } from '../lib/case';
import { buildSize } from './build-size';
import { dashboard } from './dashboard';
import { hostile } from './hostile';
import { reads } from './reads';
import { start } from './start';
import { store } from './store';
import { webhooks } from './webhooks';
import { writes } from './writes';

export const CASES: BenchCase[] = [
  reads,
  writes,
  webhooks,
  start,
  store,
  dashboard,
  hostile,
  buildSize,
];
