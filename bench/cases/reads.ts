/** The read path: GET /me, GET /conversations?limit=1, GET /contacts?limit=1, against bare. */
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { API_PREFIX } from '../../mock-server/api/prefix';
import type { BenchCase } from '../lib/case';
import { ratioRows, type Load, type RatioCase } from '../lib/load';
import { startMock } from '../lib/servers';

const read = (path: string): Load => ({
  method: 'GET',
  path: `${API_PREFIX}${path}`,
  headers: { 'x-api-key': DEMO_KEYS.acme },
  status: 200,
});

const CASES: RatioCase[] = [
  { name: 'GET /me', load: read('/me'), goal: { kind: 'min', limit: 0.6, text: '≥ 0.6 × bare' } },
  {
    name: 'GET /conversations?limit=1',
    load: read('/conversations?limit=1'),
    goal: { kind: 'min', limit: 0.5, text: '≥ 0.5 × bare' },
  },
  {
    name: 'GET /contacts?limit=1',
    load: read('/contacts?limit=1'),
    goal: { kind: 'min', limit: 0.5, text: '≥ 0.5 × bare' },
  },
];

export const reads: BenchCase = {
  id: 'reads',
  async run(plan) {
    const ours = await startMock(['--memory']);
    try {
      return await ratioRows(ours, CASES, plan);
    } finally {
      await ours.stop();
    }
  },
};
