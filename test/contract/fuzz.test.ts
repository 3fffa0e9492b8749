/**
 * Property-based fuzzing of the mock from the schemas (fast-check; valid bodies generated from
 * the request schemas by json-schema-faker, seeded by fast-check):
 * - generated valid bodies are always accepted, and the answers follow the response schemas;
 * - mutated bodies (a required field missing, a wrong type, an extra field, an oversized
 *   string) are always rejected with the code the schema names;
 * - random methods, paths (percent-encodings, long and odd ids, dot segments), header sets,
 *   nesting depths and bodies, and random bytes on a socket, never get anything but the JSON
 *   envelope with a status the contract gives its code, never a 5xx, and never bring the
 *   server down;
 * - on one connection, pipelined requests (some delayed by a fault) get their own answers in
 *   order, and a request Node refuses (garbage, a 70 KB header, CONNECT) ends the connection
 *   after them; an Expect other than 100-continue is 417; 100-continue is met, except for a
 *   declared body over the route's limit, which is 413 at once; CONNECT is 405;
 * - the db browser's query forms (json-server's operators, repeated and bracketed parameters,
 *   regular expressions in `_like`) get JSON or the envelope, never a 5xx.
 *
 * FUZZ_SEED replays a run (every run names its seed; a failure prints fast-check's seed and
 * path too); FUZZ_RUNS scales it (default 1000 per property: 10,000 requests in all).
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { schemaFile } from '../../schemas/catalog';
import {
  ERROR_CODES,
  isGuardedBy,
  schemaJson,
  statusOf,
  validate,
  type ErrorCode,
  type SchemaName,
} from '../../schemas/validator';
import { BODY_LIMIT_BYTES } from '../../mock-server/http/errors';
import { COLLECTION_NAMES } from '../../mock-server/store/collections';
import { DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';
import { parseAnswers, rawConnection } from '../helpers/raw-http';
import { findOperation, operations, readOpenapi, statusKey, type Operation } from './guards';

/**
 * A whole number from the environment (at least `min`), or the default; anything else stops the
 * run at once: a property run zero times would pass without asserting anything.
 */
function setting(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, not "${text}"`);
  }
  return Number(text);
}

const SEED = setting('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31), 0);
const RUNS = setting('FUZZ_RUNS', 1000, 1);
const settings = { seed: SEED, numRuns: RUNS };

type Json = Record<string, unknown>;
type Generate = (
  schema: unknown,
  options: { seed: number; optionalsProbability: number },
) => unknown;

const ENDPOINTS: { schema: SchemaName; url: string; status: number[]; response: SchemaName }[] = [
  {
    schema: 'requests/create-contact',
    url: '/api/zapier/contacts',
    status: [200, 201],
    response: 'responses/contact-saved',
  },
  {
    schema: 'requests/add-tag',
    url: '/api/zapier/contacts/contact_123/tags',
    status: [200],
    response: 'responses/tag-added',
  },
  {
    schema: 'requests/send-message',
    url: '/api/zapier/conversations/conv_123/messages',
    status: [201],
    response: 'responses/message-sent',
  },
  {
    schema: 'requests/subscribe',
    url: '/api/zapier/webhooks/subscribe',
    status: [201],
    response: 'responses/subscribed',
  },
];

let mock: RunningMock;
let generate: Generate;
/** Each request schema with its references resolved: `annotated` as written, `dereferenced` as the generator gets it. */
const annotated = new Map<SchemaName, Json>();
const dereferenced = new Map<SchemaName, Json>();
let requests = 0;

beforeAll(async () => {
  mock = await startMock();
  // json-schema-faker is ESM-only; this suite is CommonJS.
  generate = (await import('json-schema-faker')).generateSync as Generate;
  for (const { schema } of ENDPOINTS) {
    const full = await $RefParser.dereference<Json>(schemaFile(schema));
    annotated.set(schema, full);
    dereferenced.set(schema, withoutAnnotations(full));
  }
});
afterAll(async () => {
  await mock.stop();
});

/** Keywords whose values are maps of subschemas, keyed by names that are data, not keywords. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

/**
 * The schema without our `x-` annotations. json-schema-faker reads any unknown keyword of an
 * object schema without `properties` as a property to generate (custom fields with
 * `x-mock-guard` came out as `{"x-mock-guard": [...]}`); the annotations say nothing about
 * which bodies are valid.
 */
function withoutAnnotations<T>(node: T, isSchemaMap = false): T {
  if (Array.isArray(node)) return node.map((item: unknown) => withoutAnnotations(item)) as T;
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => isSchemaMap || !key.startsWith('x-'))
      .map(([key, value]) => [
        key,
        withoutAnnotations(value, !isSchemaMap && SCHEMA_MAPS.has(key)),
      ]),
  ) as T;
}

async function inject(
  method: string,
  url: string,
  headers: Record<string, string>,
  payload?: string,
) {
  requests++;
  return mock.server.app.inject({ method: method as 'GET', url, headers, payload });
}

const json = { 'content-type': 'application/json', 'x-api-key': DEMO_KEYS.acme };
/** The API key as a raw header line. */
const key = `X-API-Key: ${DEMO_KEYS.acme}\r\n`;

/** Every status the contract gives an error code. */
const ERROR_STATUSES = new Set(ERROR_CODES.map(statusOf));

/** The pages a browser opens (the QA dashboard, the docs): their files are not JSON. */
const PAGE = /^(GET|HEAD) \/(docs(\/[^/?]*)?|dashboard\/[^/?]+)?(\?|$)/;
const PAGE_TYPES = /^(text\/(html|css|javascript)|image\/png|application\/json);/;

/** "METHOD path" with the path's dot segments resolved, as the server routes it (`/.` is `/`). */
function asRouted(what: string): string {
  const [method, ...rest] = what.split(' ');
  const target = rest.join(' ');
  if (!URL.canParse(target, 'http://mock')) return what;
  const url = new URL(target, 'http://mock');
  return `${method} ${url.pathname}${url.search || (target.endsWith('?') ? '?' : '')}`;
}

/** Every operation of openapi.yaml, API paths written under their server's /api/zapier. */
const OPERATIONS: Operation[] = operations(readOpenapi(), ERROR_CODES).map((op) => ({
  ...op,
  path: op.path.startsWith('/__admin') ? op.path : `/api/zapier${op.path}`,
}));

/**
 * An answer of a path openapi.yaml lists has a status openapi.yaml declares there, with a code
 * declared under it: the operation's own, or, for a method the path does not serve, one that
 * some operation of the path declares (a 405, or what a check before routing answers).
 */
function assertDeclared(what: string, status: number, body: { error?: ErrorCode } | undefined) {
  const [method, target] = asRouted(what).split(' ');
  const path = target.split('?')[0];
  const op = findOperation(OPERATIONS, method, path);
  const candidates = op
    ? [op]
    : OPERATIONS.filter((other) => findOperation([other], other.method, path));
  if (candidates.length === 0) return;
  const declared = candidates.some((candidate) => {
    const key = statusKey(candidate, status);
    const codes = key ? candidate.errorCodes[key] : undefined;
    return key !== undefined && (!codes || !body?.error || codes.includes(body.error));
  });
  assert.ok(
    declared,
    `${what}: ${status} ${body?.error ?? ''} is not declared for ${op ? `${op.method} ${op.path}` : 'that path'} in openapi.yaml`,
  );
}

/**
 * The property every answer holds: JSON (but a page's own file); an error is the envelope with
 * its code's own status (never a 5xx: nothing here makes the mock fail); a success is a 2xx; and
 * on a path openapi.yaml lists, a status (and code) declared there.
 */
function assertContractAnswer(
  answer: { statusCode: number; headers: Record<string, unknown>; body: string },
  what: string,
  method: string,
): void {
  assert.ok(answer.statusCode < 500, `${answer.statusCode} for ${what}: ${answer.body}`);
  if (answer.statusCode < 300 && PAGE.test(asRouted(what))) {
    assert.match(String(answer.headers['content-type']), PAGE_TYPES, what);
    return;
  }
  if (method === 'HEAD') {
    assertDeclared(what, answer.statusCode, undefined);
    return;
  }
  assert.match(String(answer.headers['content-type']), /^application\/json/, what);
  const body = JSON.parse(answer.body) as { ok?: boolean; error?: ErrorCode };
  assertDeclared(what, answer.statusCode, body);
  if (answer.statusCode >= 400) {
    assert.ok(validate('error', body).valid, `${what}: ${answer.body}`);
    assert.ok(ERROR_STATUSES.has(answer.statusCode), `${what}: ${answer.statusCode}`);
    assert.equal(answer.statusCode, statusOf(body.error as ErrorCode), `${what}: ${answer.body}`);
  } else {
    assert.equal(body.ok, true, `${what}: ${answer.body}`);
  }
}

/** Path segments that stress the router: encodings, long and odd ids, dot segments. */
const oddSegment = fc.oneof(
  fc.constantFrom(
    'conv_123',
    'contact_123',
    'wh_123',
    '.',
    '..',
    '%2e%2e',
    '%2F',
    '%00',
    '%zz',
    '',
  ),
  fc.string({ maxLength: 12 }).map((text) => encodeURIComponent(text)),
  fc
    .string({ minLength: 1, maxLength: 8 })
    .map((text) =>
      [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    ),
  fc.integer({ min: 90, max: 2100 }).map((length) => 'i'.repeat(length)),
  fc.constantFrom('%63onv_123', 'conv%5F123', '%E2%9C%93', '%C0%AF', 'a;b', 'a,b', '~'),
);
const API_SHAPES = [
  ['me'],
  ['contacts'],
  ['conversations'],
  ['webhooks', 'subscribe'],
  ['webhooks', null],
  ['contacts', null, 'tags'],
  ['conversations', null, 'messages'],
] as const;
const oddPath = fc
  .tuple(
    fc.constantFrom('/api/zapier', '/api/zapier/.', '/api/zapier/x/..', '/__admin', '/api//zapier'),
    fc.constantFrom(...API_SHAPES),
    fc.array(oddSegment, { minLength: 3, maxLength: 3 }),
  )
  .map(
    ([prefix, shape, segments]) =>
      `${prefix}/${shape.map((part, i) => part ?? segments[i]).join('/')}`,
  );

/** A request's Content-Type, or none: JSON, JSON in another charset, and what is not JSON. */
const oddContentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
);

/** Header sets a client (or an attacker) might send, on top of random ones. */
const oddHeaders = fc.record(
  {
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br', ''),
    'content-type': fc.constantFrom(
      'application/json; charset=utf-16',
      'application/json; charset=UTF-8',
      'application/json;charset="latin1"',
      'application/vnd.api+json',
    ),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost'),
    'sec-fetch-site': fc.constantFrom('cross-site', 'same-origin', 'none'),
    host: fc.constantFrom('evil.example', 'localhost', '127.0.0.1:1', '[::1]'),
    'idempotency-key': fc.stringMatching(/^[\x20-\x7e]{0,300}$/),
    'x-idempotency-key': fc.constant('k'),
    'x-admin-token': fc.constant('nope'),
    authorization: fc.constantFrom('Bearer x', 'Basic eA=='),
  },
  { requiredKeys: [] },
);

/** A valid body of the schema: json-schema-faker, seeded by fast-check so that runs replay. */
const validBody = (schema: SchemaName) =>
  fc
    .integer({ min: 0, max: 2 ** 31 - 1 })
    .map((seed) => generate(dereferenced.get(schema), { seed, optionalsProbability: 0.5 }) as Json);

/** Prototype poisoning, which the JSON parser refuses (invalid-request) whatever else is wrong. */
const POISONED = /"__proto__"\s*:|"constructor"\s*:\s*\{[^}]*"prototype"\s*:/;

/** What the schema says a violation of one top-level property gets. */
function codeFor(schema: SchemaName, property: string | null, keyword: string): ErrorCode {
  if (!property) return 'invalid-request';
  // A refusal by one of the mock's guards is invalid-request, whatever the property's own codes.
  const properties = annotated.get(schema)?.properties as Record<string, Json> | undefined;
  if (isGuardedBy(properties?.[property], keyword)) return 'invalid-request';
  const rule = ((schemaJson(schema).properties as Record<string, Json>)[property]?.[
    'x-error-codes'
  ] ?? undefined) as ErrorCode | Record<string, ErrorCode> | undefined;
  if (typeof rule === 'string') return rule;
  return rule?.[keyword] ?? 'invalid-request';
}

interface Mutation {
  body: unknown;
  code: ErrorCode;
  what: string;
}

/** One mutation of a valid body that the schema must refuse, with the code it must get. */
function mutate(
  schema: SchemaName,
  body: Json,
  choice: number,
  wrongValue: unknown,
): Mutation | null {
  const definition = dereferenced.get(schema) as {
    required?: string[];
    properties: Record<string, Json>;
  };
  const present = Object.keys(body);
  switch (choice % 4) {
    case 0: {
      const required = definition.required ?? [];
      if (required.length === 0) return null;
      const field = required[choice % required.length];
      const rest = { ...body };
      delete rest[field];
      return { body: rest, code: codeFor(schema, field, 'required'), what: `without ${field}` };
    }
    case 1: {
      const field = present[choice % present.length];
      const expected = definition.properties[field].type;
      const types = Array.isArray(expected) ? expected : [expected];
      const actual =
        wrongValue === null
          ? 'null'
          : Array.isArray(wrongValue)
            ? 'array'
            : typeof wrongValue === 'number'
              ? 'number'
              : typeof wrongValue;
      if (types.includes(actual) || (actual === 'number' && types.includes('integer'))) return null;
      return {
        body: { ...body, [field]: wrongValue },
        // A null counts as the field being absent (the validator's rule: null email is missing).
        code: codeFor(schema, field, wrongValue === null ? 'required' : 'type'),
        what: `${field} as ${actual}`,
      };
    }
    case 2:
      return {
        body: { ...body, unexpected_field: 'x' },
        code: 'invalid-request',
        what: 'with an extra field',
      };
    default: {
      const strings = Object.entries(definition.properties).filter(
        ([, p]) => typeof p.maxLength === 'number',
      );
      if (strings.length === 0) return null;
      const [field, property] = strings[choice % strings.length];
      return {
        body: { ...body, [field]: 'x'.repeat((property.maxLength as number) + 1) },
        code: codeFor(schema, field, 'maxLength'),
        what: `${field} over ${String(property.maxLength)} characters`,
      };
    }
  }
}

// The seed is in the name, so every report says how to replay the run.
describe(`fuzzing from the schemas (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npm run test:fuzz)`, () => {
  for (const endpoint of ENDPOINTS) {
    test(`POST ${endpoint.url} × generated valid bodies are accepted`, async () => {
      await fc.assert(
        fc.asyncProperty(validBody(endpoint.schema), async (body) => {
          assert.ok(validate(endpoint.schema, body).valid, 'the generator made an invalid body');
          const answer = await inject('POST', endpoint.url, json, JSON.stringify(body));
          assert.ok(
            endpoint.status.includes(answer.statusCode),
            `${answer.statusCode} for ${JSON.stringify(body)}: ${answer.body}`,
          );
          const result = validate(endpoint.response, JSON.parse(answer.body));
          assert.ok(result.valid, result.valid ? '' : result.message);
        }),
        settings,
      );
    });

    test(`POST ${endpoint.url} × mutated bodies are refused with the schema's code`, async () => {
      const wrongValue = fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 2 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
        fc.string(),
      );
      await fc.assert(
        fc.asyncProperty(
          validBody(endpoint.schema),
          fc.nat(),
          wrongValue,
          async (body, choice, wrong) => {
            const mutation = mutate(endpoint.schema, body, choice, wrong);
            fc.pre(mutation !== null);
            const text = JSON.stringify(mutation.body);
            const answer = await inject('POST', endpoint.url, json, text);
            const envelope = JSON.parse(answer.body) as { ok: boolean; error: string };
            assert.ok(validate('error', envelope).valid, answer.body);
            // A body carrying a __proto__ key is refused as a whole, before any field is read.
            const code = POISONED.test(text) ? 'invalid-request' : mutation.code;
            assert.equal(envelope.error, code, `${mutation.what}: ${answer.body}`);
            assert.equal(answer.statusCode, statusOf(code), answer.body);
          },
        ),
        settings,
      );
    });
  }

  test('random methods, paths, headers and bodies get only JSON, never an unexpected 500', async () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      path: fc.oneof(
        fc.constantFrom(
          '/api/zapier/me',
          '/api/zapier/contacts',
          '/api/zapier/conversations',
          '/api/zapier/webhooks/subscribe',
          '/api/zapier/webhooks/wh_1',
          '/api/zapier/contacts/contact_123/tags',
          '/api/zapier/conversations/conv_123/messages',
          '/__admin/nothing',
        ),
        fc.webPath().map((p) => `/api/zapier${p.startsWith('/') ? p : `/${p}`}`),
        fc.webSegment().map((s) => `/${s}`),
        oddPath,
      ),
      query: fc.oneof(
        fc.constant(''),
        fc.webQueryParameters().map((q) => `?${q}`),
      ),
      key: fc.oneof(fc.constant(DEMO_KEYS.acme), fc.constant(undefined), headerValue),
      headers: fc.dictionary(
        token.filter(
          (name) =>
            ![
              'content-length',
              'host',
              'transfer-encoding',
              'connection',
              'expect',
              'x-mock-fault',
            ].includes(name),
        ),
        headerValue,
        { maxKeys: 4 },
      ),
      odd: oddHeaders,
      contentType: oddContentType,
      body: fc.oneof(
        fc.constant(undefined),
        fc.json(),
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { ...r.headers, ...r.odd };
        if (r.key !== undefined) headers['x-api-key'] = r.key;
        if (r.contentType && r.body !== undefined) headers['content-type'] = r.contentType;
        const answer = await inject(
          r.method,
          `${r.path}${r.query}`,
          headers,
          r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body,
        );
        assertContractAnswer(answer, `${r.method} ${r.path}${r.query}`, r.method);
      }),
      { ...settings, numRuns: Math.round(RUNS * 1.6) },
    );
  });

  test("requests built from openapi.yaml's operations get only the statuses declared there", async () => {
    const apiOperations = OPERATIONS.filter((op) => op.path.startsWith('/api/zapier'));
    const request = fc.record({
      op: fc.constantFrom(...apiOperations),
      id: fc.oneof(fc.constantFrom('contact_123', 'conv_123', 'wh_123'), oddSegment),
      query: fc.constantFrom(
        '',
        '?limit=1',
        '?limit=100',
        '?limit=0',
        '?event=tag.added',
        '?event=x',
      ),
      key: fc.constantFrom(DEMO_KEYS.acme, undefined, 'chatting_live_x_y'),
      idempotencyKey: fc.option(fc.constantFrom('k-1', 'k-2', ''), { nil: undefined }),
      contentType: oddContentType,
      body: fc.oneof(
        fc.constant(undefined),
        fc.constant('valid'),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.string(),
        // Over the body limit (100 KiB).
        fc.constant(`"${'x'.repeat(101 * 1024)}"`),
      ),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = r.op.path.replace(/\{[^}]+\}/g, r.id);
        const headers: Record<string, string> = {};
        if (r.key !== undefined) headers['x-api-key'] = r.key;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        const valid = r.op.request && r.body === 'valid';
        const body = valid
          ? JSON.stringify(
              generate(dereferenced.get(r.op.request as SchemaName), {
                seed: r.seed,
                optionalsProbability: 0.5,
              }),
            )
          : r.body === 'valid'
            ? undefined
            : r.body;
        if (body !== undefined)
          headers['content-type'] = valid
            ? 'application/json'
            : (r.contentType ?? 'application/json');
        const what = `${r.op.method} ${path}${r.op.method === 'GET' ? r.query : ''}`;
        const answer = await inject(r.op.method, what.split(' ')[1], headers, body);
        assertContractAnswer(answer, what, r.op.method);
      }),
      { ...settings, numRuns: RUNS },
    );
  });

  test('bodies nested to any depth get the envelope, never a crash', async () => {
    const nested = fc
      .tuple(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
      .map(([depth, open, closed]) => {
        const close = open === '[' ? ']' : '}';
        return `${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}`;
      });
    const target = fc.constantFrom(
      ['/api/zapier/contacts', (v: string) => `{"email":"d@b.co","tags":${v}}`] as const,
      ['/api/zapier/contacts/contact_123/tags', (v: string) => `{"tag":${v}}`],
      [
        '/api/zapier/conversations/conv_123/messages',
        (v: string) => `{"message":"m","sender":${v}}`,
      ],
      [
        '/__admin/events',
        (v: string) => `{"workspace_id":"owner_123","event":"tag.added","data":{"tags":${v}}}`,
      ],
    );
    await fc.assert(
      fc.asyncProperty(target, nested, async ([url, wrap], value) => {
        const body = wrap(value);
        const answer = await inject('POST', url, json, body);
        assertContractAnswer(answer, `POST ${url} with ${body.slice(0, 60)}…`, 'POST');
      }),
      { ...settings, numRuns: Math.round(RUNS * 0.4) },
    );
  });

  test('random bytes on a socket get the envelope or nothing, and the server lives on', async () => {
    const { port } = new URL(mock.base);
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc
        .uint8Array({ maxLength: 200 })
        .map((tail) =>
          Buffer.concat([
            Buffer.from('POST /api/zapier/contacts HTTP/1.1\r\nHost: x\r\n'),
            Buffer.from(tail),
            Buffer.from('\r\n\r\n'),
          ]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (data) => {
        requests++;
        const raw = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1');
          let received = '';
          socket.setTimeout(2000, () => socket.destroy());
          socket.on('data', (chunk) => (received += chunk.toString('latin1')));
          socket.on('error', () => resolve(received));
          socket.on('close', () => resolve(received));
          socket.on('connect', () => socket.end(Buffer.from(data)));
          socket.on('timeout', () => reject(new Error('the server neither answered nor closed')));
        });
        if (raw === '') return;
        const [head, ...rest] = raw.split('\r\n\r\n');
        assert.match(head, /^HTTP\/1\.1 [1-4]\d\d /, raw.slice(0, 200));
        const body = rest.join('\r\n\r\n');
        if (body)
          assert.ok(
            validate('error', JSON.parse(body)).valid || (JSON.parse(body) as { ok: boolean }).ok,
            body,
          );
      }),
      { ...settings, numRuns: Math.round(RUNS * 0.4) },
    );
    const alive = await inject('GET', '/api/zapier/me', { 'x-api-key': DEMO_KEYS.acme });
    assert.equal(alive.statusCode, 200);
  });

  /** One request of a pipeline: its bytes (without Connection) and the answer it must get. */
  const pipelined = fc.oneof(
    fc.constant({ bytes: `GET /api/zapier/me HTTP/1.1\r\nHost: x\r\n${key}`, status: 200 }),
    fc.constant({
      bytes:
        `POST /api/zapier/conversations/conv_123/messages HTTP/1.1\r\nHost: x\r\n${key}` +
        'Content-Type: application/json\r\nContent-Length: 15\r\n{"message":"p"}',
      status: 201,
    }),
    fc.constant({
      bytes:
        `POST /api/zapier/contacts HTTP/1.1\r\nHost: x\r\n${key}` +
        'Content-Type: application/json\r\nContent-Length: 9\r\n{"email":',
      status: 400,
    }),
    fc.constant({ bytes: 'GET /nothing HTTP/1.1\r\nHost: x\r\n', status: 404 }),
    fc.constant({ bytes: `DELETE /api/zapier/me HTTP/1.1\r\nHost: x\r\n${key}`, status: 405 }),
    fc.constant({ bytes: 'GET /api/zapier/me HTTP/1.1\r\nHost: x\r\n', status: 401 }),
  );
  /** What may end a pipeline: nothing (the last request says close), or a request Node refuses. */
  const pipelineEnd = fc.oneof(
    fc.constant(null),
    fc.constant({ bytes: 'GARBAGE\r\n\r\n', status: 400 }),
    fc.constant({
      bytes: `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
      status: 400,
    }),
    fc.constant({ bytes: 'CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n', status: 405 }),
    // Random bytes (answered or not, as whatever Node makes of them), then a sure end.
    fc.uint8Array({ minLength: 1, maxLength: 100 }).map((bytes) => ({
      bytes: `${Buffer.from(bytes).toString('latin1')}\r\n\r\nGARBAGE\r\n\r\n`,
      status: null,
    })),
  );

  test('pipelined requests, some delayed, get their own answers in order; a broken one ends the connection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(pipelined, fc.constantFrom(0, 0, 5, 20)), { minLength: 1, maxLength: 5 }),
        pipelineEnd,
        async (sequence, end) => {
          requests += sequence.length + (end ? 1 : 0);
          const bytes = sequence.map(([request, delayMs], i) => {
            const [head, body = ''] = request.bytes.split(/\r\n(?=\{)/);
            const fault = delayMs ? `X-Mock-Fault: delay=${delayMs}\r\n` : '';
            const close = !end && i === sequence.length - 1 ? 'Connection: close\r\n' : '';
            return `${head}${head.endsWith('\r\n') ? '' : '\r\n'}${fault}${close}\r\n${body}`;
          });
          const raw = await rawConnection(mock.base, bytes.join('') + (end?.bytes ?? ''));
          const answers = parseAnswers(raw);
          const expected = sequence.map(([request]) => request.status);
          // Random bytes after the pipeline may be a request of their own, or nothing Node answers.
          const got = answers.map((answer) => answer.status);
          assert.deepEqual(got.slice(0, expected.length), expected, raw.slice(0, 2000));
          if (end && end.status !== null)
            assert.deepEqual(got.slice(expected.length), [end.status]);
          for (const answer of answers.filter((a) => a.status >= 400)) {
            const body = JSON.parse(answer.body) as { error: ErrorCode };
            assert.ok(validate('error', body).valid, answer.body);
            assert.equal(answer.status, statusOf(body.error), answer.body);
          }
        },
      ),
      { ...settings, numRuns: Math.max(1, Math.round(RUNS * 0.1)) },
    );
    const alive = await inject('GET', '/api/zapier/me', { 'x-api-key': DEMO_KEYS.acme });
    assert.equal(alive.statusCode, 200);
  });

  test('an Expect other than 100-continue is 417 expectation-failed; 100-continue is met, but not for a body over the limit (413)', async () => {
    const value = fc.oneof(
      fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/),
      fc.constantFrom('100-continue', '100-Continue', 'foo', '', '200-ok', '100-continues'),
    );
    // A write declaring a body over the API limit (sent only after a 100), or a read with none.
    const oversized = fc.option(fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 1e12 }), {
      nil: undefined,
    });
    await fc.assert(
      fc.asyncProperty(value, oversized, async (expect, declared) => {
        fc.pre(!/100-continue/i.test(expect) || expect.toLowerCase() === '100-continue');
        requests++;
        const raw = await rawConnection(
          mock.base,
          declared === undefined
            ? `GET /api/zapier/me HTTP/1.1\r\nHost: x\r\n${key}Expect: ${expect}\r\nConnection: close\r\n\r\n`
            : `POST /api/zapier/contacts HTTP/1.1\r\nHost: x\r\n${key}Content-Type: application/json\r\n` +
                `Content-Length: ${declared}\r\nExpect: ${expect}\r\nConnection: close\r\n\r\n`,
        );
        const answers = parseAnswers(raw);
        const continues = expect.toLowerCase() === '100-continue';
        const [statuses, code]: [number[], ErrorCode?] = !continues
          ? [[417], 'expectation-failed']
          : declared === undefined
            ? [[100, 200]]
            : [[413], 'payload-too-large'];
        assert.deepEqual(
          answers.map((a) => a.status),
          statuses,
          raw,
        );
        if (code) assert.equal((JSON.parse(answers[0].body) as { error: string }).error, code);
      }),
      { ...settings, numRuns: Math.max(1, Math.round(RUNS * 0.2)) },
    );
  });

  test('CONNECT, alone or behind other requests, is 405 method-not-allowed and the end', async () => {
    const target = fc.oneof(
      fc
        .tuple(fc.domain(), fc.integer({ min: 0, max: 65535 }))
        .map(([host, port]) => `${host}:${port}`),
      fc.constantFrom('127.0.0.1:3000', '[::1]:443', '/api/zapier/me', '*', 'example.com'),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 }), target, async (before, authority) => {
        requests += before + 1;
        const me = `GET /api/zapier/me HTTP/1.1\r\nHost: x\r\n${key}\r\n`;
        const raw = await rawConnection(
          mock.base,
          `${me.repeat(before)}CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`,
        );
        const answers = parseAnswers(raw);
        assert.deepEqual(
          answers.map((a) => a.status),
          [...Array<number>(before).fill(200), 405],
          raw,
        );
        assert.equal(
          (JSON.parse(answers[before].body) as { error: string }).error,
          'method-not-allowed',
        );
      }),
      { ...settings, numRuns: Math.max(1, Math.round(RUNS * 0.2)) },
    );
  });

  test("the db browser's query forms get JSON or the envelope, never a 5xx", async () => {
    const field = fc.constantFrom(
      'id',
      'name',
      'email',
      'tags',
      'customFields.crm_id',
      'workspace_id',
      '__proto__',
      'constructor',
      'x',
    );
    const name = fc.oneof(
      fc.constantFrom(
        'q',
        '_sort',
        '_order',
        '_start',
        '_end',
        '_page',
        '_limit',
        '_embed',
        '_expand',
        '_delay',
        'callback',
        '_',
      ),
      fc
        .tuple(field, fc.constantFrom('', '_like', '_ne', '_lte', '_gte', '[]', '[a]'))
        .map(([f, suffix]) => `${f}${suffix}`),
      fc.constantFrom('_sort[]', '_order[]', '_sort[0]'),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '^(a+)+$',
        '(a|a)*$',
        '.*',
        '[',
        'id,email',
        'desc,asc',
        '-1',
        '1e9',
        'contacts',
        'workspace',
      ),
      fc.integer().map(String),
    );
    const path = fc.oneof(
      fc.constantFrom(...COLLECTION_NAMES, 'db', 'nothing', '').map((c) => `/${c}`),
      fc.constantFrom('/contacts/contact_123', '/workspaces/owner_123/contacts', '/contacts/x/y/z'),
    );
    const query = fc.array(fc.tuple(name, value), { maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        path,
        query,
        fc.constantFrom('GET', 'HEAD'),
        async (where, params, method) => {
          const search = params
            .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
            .join('&');
          const url = `/__admin/db${where}${search ? `?${search}` : ''}`;
          requests++;
          // Over HTTP: json-server's express answers the raw response, which inject cannot read.
          // The reply is JSON and every error the envelope (the helper checks both).
          const answer = await mock.request(method, url, { key: null });
          assert.ok(answer.status < 500, `${answer.status} for ${method} ${url}: ${answer.text}`);
          if (method === 'GET' && answer.status === 200) {
            assert.equal(typeof answer.body, 'object', answer.text);
          }
        },
      ),
      { ...settings, numRuns: Math.max(1, Math.round(RUNS * 0.1)) },
    );
  });

  // Eleven requests a run at least: 11,000 with the default FUZZ_RUNS.
  test(`the run made at least ${(11 * RUNS).toLocaleString('en-US')} requests`, () => {
    assert.ok(requests >= 11 * RUNS, `only ${requests} requests`);
  });
});
