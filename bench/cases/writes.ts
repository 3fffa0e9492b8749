/**
 * The write path on a durable data file (each answer sent after its journal line is
 * fdatasync'ed): POST /contacts with a new email every time, and an idempotent replay (the same
 * Idempotency-Key and body, answered from the stored first answer).
 */
import path from 'node:path';
import { API_PREFIX } from '../../mock-server/api/prefix';
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { temporaryDirectory } from '../../test/helpers/mock';
import type { BenchCase } from '../lib/case';
import { ratioRows, type Load, type RatioCase } from '../lib/load';
import { startMock } from '../lib/servers';

const post = (body: object, headers: Record<string, string> = {}): Omit<Load, 'status'> => ({
  method: 'POST',
  path: `${API_PREFIX}/contacts`,
  headers: { 'x-api-key': DEMO_KEYS.acme, 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const CASES: RatioCase[] = [
  {
    name: 'POST /contacts, durable',
    load: {
      ...post({ email: 'bench-[<id>]@example.com', name: 'Bench' }),
      idReplacement: true,
      status: 201,
    },
    goal: { kind: 'min', limit: 0.15, text: '≥ 0.15 × bare' },
  },
  {
    name: 'POST /contacts, idempotent replay',
    load: {
      ...post({ email: 'replayed@example.com', name: 'Bench' }, { 'idempotency-key': 'bench' }),
      status: 201,
    },
    goal: { kind: 'min', limit: 0.5, text: '≥ 0.5 × bare' },
  },
];

export const writes: BenchCase = {
  id: 'writes',
  async run(plan) {
    const { dir, remove } = temporaryDirectory();
    const ours = await startMock(['--db', path.join(dir, 'db.json')]);
    try {
      return await ratioRows(ours, CASES, plan);
    } finally {
      await ours.stop();
      remove();
    }
  },
};
