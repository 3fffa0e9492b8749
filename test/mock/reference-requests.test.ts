/**
 * The reference's request examples, sent as written (the demo key standing for <your-api-key>),
 * in the reference's order, to one fresh mock: each gets the status and the shape the reference
 * documents for it. The demo data is what makes that true (contact_123, conv_123, an inactive
 * wh_123, no contact with lead@example.com).
 */
import assert from 'node:assert/strict';
import { contract } from '../../schemas/validator';
import { findOperation, operations, readOpenapi, statusKey } from '../contract/guards';
import {
  REFERENCE_DIR,
  referenceText,
  requestExamplesOf,
  type ReferenceRequest,
} from '../helpers/fixtures';
import { DEMO_KEYS, useMock, type Reply } from '../helpers/mock';
import { testUnless } from '../helpers/skip';

const API = '/api/zapier';
const text = referenceText();
const examples = text === null ? [] : requestExamplesOf(text);
const ops = operations(readOpenapi());
const mock = useMock();

/** Sends an example as written; `withKey: false` drops its X-API-Key (the missing-key answer). */
function sendAsWritten(example: ReferenceRequest, withKey: boolean): Promise<Reply> {
  const headers: Record<string, string> = { 'X-API-Key': DEMO_KEYS.acme, ...example.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (/^x-api-key$/i.test(name)) {
      if (withKey) headers[name] = value.replace('<your-api-key>', DEMO_KEYS.acme);
      else delete headers[name];
    }
  }
  return mock.request(example.method, `${API}${example.path}`, {
    key: null,
    headers,
    ...(example.body !== undefined && { raw: JSON.stringify(example.body) }),
  });
}

/**
 * The answer has the documented status, follows the schema openapi.yaml names for it, and has
 * the documented fields with the documented values (ids and timestamps are the server's own).
 */
function assertAsDocumented(
  example: ReferenceRequest,
  reply: Reply,
  documented: { status: number; body: unknown },
): void {
  const where = `${example.method} ${example.path}`;
  assert.equal(reply.status, documented.status, `${where}: ${reply.text}`);
  const op = findOperation(ops, example.method, example.path.split('?')[0]);
  const status = op && statusKey(op, reply.status);
  assert.ok(status, `${where}: openapi.yaml names no schema for ${reply.status}`);
  const result = contract.validateInline(op.responseSchemas[status], reply.body);
  assert.ok(result.valid, `${where}: ${result.valid ? '' : result.message}`);
  const expected = documented.body as Record<string, unknown>;
  // The closed schema refuses any field the reference does not know (an error's optional
  // message aside); each documented field must be there.
  for (const [field, value] of Object.entries(expected)) {
    assert.ok(field in reply.body, `${where}: no ${field} in ${reply.text}`);
    if (field === 'id' || field.endsWith('_at')) continue;
    assert.deepEqual(reply.body[field], value, `${where}: ${field}`);
  }
}

testUnless(text === null && `the reference is not in ${REFERENCE_DIR}`)(
  'every request example of the reference answers as documented on a fresh mock',
  async () => {
    assert.ok(examples.length >= 10, `found only ${examples.length} request examples`);
    for (const example of examples) {
      const where = `${example.method} ${example.path}`;
      if (example.answers.length === 0) {
        // A listed sample endpoint: the demo data holds an event of each kind.
        const reply = await sendAsWritten(example, true);
        assert.equal(reply.status, 200, `${where}: ${reply.text}`);
        assert.ok(contract.validate('responses/sample-list', reply.body).valid, where);
        const url = new URL(example.path, 'http://reference');
        const event =
          url.searchParams.get('event') ??
          (url.pathname === '/contacts' ? 'contact.created' : 'conversation.created');
        assert.deepEqual(
          reply.body.items.map((item: { event: string }) => item.event),
          [event],
          where,
        );
      }
      for (const documented of example.answers) {
        const missingKey = (documented.body as { error?: string }).error === 'api-key-missing';
        assertAsDocumented(example, await sendAsWritten(example, !missingKey), documented);
      }
    }
    // The subscribe example's target is a real Zapier URL: nothing may have been sent to it.
    assert.equal(mock.server.services.store.all('deliveries').length, 0);
  },
);
