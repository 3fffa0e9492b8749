/**
 * A generic mock built from openapi.yaml alone (`prism mock`) answers like ours: the reference's
 * request examples get the documented status and body, each sample endpoint's event has its
 * own example, and every documented error status of every API operation answers a code
 * declared there, with the status error.json gives that code.
 */
import assert from 'node:assert/strict';
import { ERROR_CODES, statusOf, type ErrorCode } from '../../schemas/validator';
import {
  REFERENCE_DIR,
  referenceFixtures,
  referenceText,
  requestExamplesOf,
} from '../helpers/fixtures';
import { send } from '../helpers/http';
import { DEMO_KEYS } from '../helpers/mock';
import { operations, readOpenapi } from './guards';
import { testUnless } from '../helpers/skip';
import { startPrism, type RunningPrism } from './prism';

const API_OPERATIONS = operations(readOpenapi(), ERROR_CODES).filter(
  (op) => !op.path.startsWith('/__admin'),
);
const text = referenceText();
let prism: RunningPrism;

beforeAll(async () => {
  prism = await startPrism({ mock: true });
});
afterAll(async () => {
  await prism.stop();
});

/** A request Prism accepts: the demo key, and the reference's example body where one is due. */
function ask(method: string, path: string, request: string | null, prefer?: string) {
  const body = request && referenceFixtures().find((f) => f.schema === request)?.body;
  return send(`${prism.url}${path}`, method, {
    key: DEMO_KEYS.acme,
    ...(body !== undefined && body !== null && { body }),
    ...(prefer && { headers: { prefer } }),
  });
}

testUnless(text === null && `the reference is not in ${REFERENCE_DIR}`)(
  "the reference's request examples get the documented status and body",
  async () => {
    const examples = requestExamplesOf(text ?? '');
    assert.ok(examples.length >= 10);
    for (const example of examples) {
      const where = `${example.method} ${example.path}`;
      for (const documented of example.answers) {
        const missingKey = (documented.body as { error?: string }).error === 'api-key-missing';
        const answer = await send(`${prism.url}${example.path}`, example.method, {
          key: missingKey ? null : DEMO_KEYS.acme,
          ...(example.body !== undefined && { body: example.body }),
        });
        assert.equal(answer.status, documented.status, `${where}: ${answer.text}`);
        assert.deepEqual(answer.body, documented.body, where);
      }
    }
  },
);

describe('each sample endpoint answers the payload of its own event', () => {
  const payload = (event: string) =>
    referenceFixtures().find((f) => f.file === `reference/events/${event}/reference.json`)?.body;
  for (const [path, event, prefer] of [
    ['/contacts?limit=1', 'contact-created', undefined],
    ['/conversations?limit=1', 'conversation-created', undefined],
    [
      '/conversations?limit=1&event=conversation.resolved',
      'conversation-resolved',
      'conversation.resolved',
    ],
    ['/conversations?limit=1&event=tag.added', 'tag-added', 'tag.added'],
  ] as const) {
    test(`GET ${path}${prefer ? ` (Prefer: example=${prefer})` : ''}`, async () => {
      const answer = await ask('GET', path, null, prefer && `example=${prefer}`);
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body, { ok: true, items: [payload(event)] });
    });
  }
});

describe('every documented error status answers a code declared there', () => {
  for (const op of API_OPERATIONS) {
    const path = op.path.replace(/\{[^}]+\}/g, 'x1');
    for (const [status, codes] of Object.entries(op.errorCodes)) {
      test(`${op.method} ${op.path} ${status}: ${codes.join(', ')}`, async () => {
        // Prism's default example of the status, then the example of each code by name.
        for (const example of [undefined, ...(codes.length > 1 ? codes : [])]) {
          const prefer = `code=${status}${example ? `, example=${example}` : ''}`;
          const answer = await ask(op.method, path, op.request, prefer);
          const where = `${op.method} ${path} (Prefer: ${prefer})`;
          assert.equal(answer.status, Number(status), `${where}: ${answer.text}`);
          const code = answer.body?.error as ErrorCode;
          assert.equal(answer.body?.ok, false, where);
          assert.ok(codes.includes(code), `${where}: ${code} is not declared there`);
          assert.equal(statusOf(code), Number(status), `${where}: ${code}`);
          if (example) assert.equal(code, example, where);
        }
      });
    }
  }
});
