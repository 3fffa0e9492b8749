/**
 * A generic mock built from openapi.yaml alone (`prism mock`) answers like ours: the reference's
 * request examples get the documented status and body, each sample endpoint's event has its
 * own example, and every documented error status of every API operation answers a code
 * declared there, with the status error.json gives that code.
 */
import assert from 'node:assert/strict';
import { ERROR_CODES, schemaJson, statusOf, type ErrorCode } from '../../schemas/validator';
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

describe('what a generic mock reads from openapi.yaml alone', () => {
  test('a first POST carries no Idempotent-Replayed (only a replay does, as the text says)', async () => {
    for (const [path, request] of [
      ['/contacts', 'requests/create-contact'],
      ['/webhooks/subscribe', 'requests/subscribe'],
      ['/contacts/contact_123/tags', 'requests/add-tag'],
      ['/conversations/conv_123/messages', 'requests/send-message'],
    ] as const) {
      const answer = await ask('POST', path, request);
      assert.ok(answer.status >= 200 && answer.status < 300, `${path}: ${answer.text}`);
      assert.equal(answer.headers.get('idempotent-replayed'), null, path);
    }
  });

  test('name: null is refused, as the mock refuses it; a name is taken', async () => {
    const post = (name: unknown) =>
      send(`${prism.url}/contacts`, 'POST', {
        key: DEMO_KEYS.acme,
        body: { email: 'a@example.com', name },
      });
    const refused = await post(null);
    assert.ok([400, 422].includes(refused.status), refused.text);
    assert.equal((await post('Ava')).status, 201);
  });

  test("limit declares its default, 1, as the mock's query schemas do", () => {
    const doc = readOpenapi() as { paths: Record<string, { get: { parameters: unknown[] } }> };
    for (const path of ['/contacts', '/conversations']) {
      const limit = doc.paths[path].get.parameters.find(
        (p): p is { name: string; schema: { $ref: string } } =>
          (p as { name?: string }).name === 'limit',
      );
      assert.ok(limit, path);
      const [file, pointer] = limit.schema.$ref.replace(/^schemas\//, '').split('#');
      const node = pointer
        .split('/')
        .slice(1)
        .reduce<Record<string, unknown>>(
          (at, key) => at[key] as Record<string, unknown>,
          schemaJson(file.replace(/\.json$/, '')),
        );
      assert.equal(node.default, 1, path);
    }
  });
});
