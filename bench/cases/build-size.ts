/** build/build.zip against a bare app on the same zapier-platform-core (bench/build-size.ts). */
import { BUILD_SIZE_LIMIT, measureBuildSizes, signed } from '../build-size';
import { judged, unmeasured, type BenchCase } from '../lib/case';

const NAME = 'build.zip vs a bare app';
const GOAL = { kind: 'max', limit: BUILD_SIZE_LIMIT, text: '≤ + 50 KB' } as const;

export const buildSize: BenchCase = {
  id: 'build-size',
  run(plan) {
    // Two Zapier builds take longer than a smoke run may.
    if (plan.quick) {
      return Promise.resolve([unmeasured(NAME, GOAL.text, 'skipped', 'skipped in --quick')]);
    }
    const { bare, ours } = measureBuildSizes();
    const extra = ours.bytes - bare.bytes;
    return Promise.resolve([
      judged(
        NAME,
        GOAL,
        extra,
        `${signed(extra)} bytes (${signed(ours.files - bare.files)} files; ${bare.bytes.toLocaleString('en-US')} → ${ours.bytes.toLocaleString('en-US')})`,
      ),
    ]);
  },
};
