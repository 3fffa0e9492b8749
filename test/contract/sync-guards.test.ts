/**
 * The sync guards, each run on the real files and then on a mutated copy to prove it notices:
 * openapi.yaml ↔ the mock's routes (both directions); the app's requests and the mock's answers
 * (real traffic, from the mock's request journal) ↔ the schemas; the app's samples and output
 * fields ↔ the schemas; the reference's examples ↔ the schemas.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SCHEMA_ROOT } from '../../schemas/catalog';
import { contract, SchemaSet } from '../../schemas/validator';
import type { JournalEntry } from '../../schemas/generated/admin/journal-list';
import { App, appTester, authTest, createPerform, triggerOperation } from '../helpers/app';
import { DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';
import {
  appDefinitionProblems,
  errorCodeProblems,
  operations,
  type EndpointErrors,
  readOpenapi,
  referenceProblems,
  requestCoverageProblems,
  routeProblems,
  trafficProblems,
} from './guards';

type Json = Record<string, unknown>;

const ROUTES_DIR = path.join(__dirname, '..', '..', 'mock-server', 'api', 'endpoints');

/** Each endpoint module of the mock, with its source (for the codes its handler throws). */
async function endpointModules(): Promise<{ endpoint: EndpointErrors; source: string }[]> {
  const files = readdirSync(ROUTES_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  return Promise.all(
    files.map(async (file) => ({
      endpoint: ((await import(path.join(ROUTES_DIR, file))) as { default: EndpointErrors })
        .default,
      source: readFileSync(path.join(ROUTES_DIR, file), 'utf8'),
    })),
  );
}

const openapi = readOpenapi();
let mock: RunningMock;
let traffic: JournalEntry[];
/**
 * The routes the running mock registered, written as openapi.yaml writes them: the API's under
 * its server URL (/api/zapier), the admin API's from the root; the db browser's wildcard is its
 * {collection} path.
 */
let mockRoutes: { method: string; url: string }[];

/** Drives every operation of the app against the mock, and returns what went over the wire. */
async function appTraffic(): Promise<JournalEntry[]> {
  const authData = { api_key: DEMO_KEYS.acme };
  await appTester(authTest, { authData });
  for (const key of [
    'conversation_created',
    'conversation_resolved',
    'contact_created',
    'tag_added',
  ]) {
    const subscribeData = await appTester(triggerOperation(key, 'performSubscribe'), {
      authData,
      targetUrl: 'https://hooks.zapier.com/hooks/catch/0/guard',
    });
    await appTester(triggerOperation(key, 'performList'), { authData });
    await appTester(triggerOperation(key, 'performUnsubscribe'), {
      authData,
      subscribeData: subscribeData as { id: string },
    });
  }
  await appTester(triggerOperation('contact_list', 'perform'), { authData });
  await appTester(triggerOperation('conversation_list', 'perform'), { authData });
  const all = {
    email: 'guard@example.com',
    name: 'Guard',
    phone: '+1 555',
    company: 'G',
    status: 'lead',
    tags: ['a'],
    customFields: { x: 'y' },
    deduplication_key: 'guard-1',
  };
  await appTester(createPerform('create_contact'), { authData, inputData: all });
  await appTester(createPerform('add_tag_to_contact'), {
    authData,
    inputData: { contact_id: 'contact_123', tag: 'guard' },
  });
  await appTester(createPerform('send_message'), {
    authData,
    inputData: { conversation_id: 'conv_123', message: 'Guard', sender: 'agent' },
  });
  return mock.server.services.requests.latest(1000);
}

/** A copy of schemas/ with some files edited, as a SchemaSet. */
function mutated(edit: Record<string, (schema: Json) => void>): SchemaSet {
  // A schemas/ folder of its own, as openapi.yaml's $refs (schemas/...) expect.
  const parent = mkdtempSync(path.join(tmpdir(), 'contract-'));
  const dir = path.join(parent, 'schemas');
  cpSync(SCHEMA_ROOT, dir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}generated`) && !src.endsWith('.ts'),
  });
  for (const [name, change] of Object.entries(edit)) {
    const file = path.join(dir, `${name}.json`);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Json;
    change(schema);
    writeFileSync(file, JSON.stringify(schema));
  }
  try {
    return new SchemaSet(dir);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

function renameProperty(from: string, to: string) {
  return (schema: Json) => {
    const properties = schema.properties as Json;
    properties[to] = properties[from];
    delete properties[from];
    schema.required = (schema.required as string[]).map((name) => (name === from ? to : name));
  };
}

/** Renames a payload field everywhere it is defined: data.<from> and data__<from>. */
function renamePayloadField(from: string, to: string) {
  return (schema: Json) => {
    renameProperty(`data__${from}`, `data__${to}`)(schema);
    (schema.properties as Record<string, Json>)[`data__${to}`].$ref =
      `#/$defs/data/properties/${to}`;
    renameProperty(from, to)((schema.$defs as Record<string, Json>).data);
  };
}

function dropRequired(field: string) {
  return (schema: Json) => {
    delete (schema.properties as Json)[field];
    schema.required = (schema.required as string[]).filter((name) => name !== field);
  };
}

function assertNames(problems: string[], expected: RegExp): void {
  assert.ok(
    problems.some((p) => expected.test(p)),
    `no problem matching ${expected}; got:\n${problems.join('\n')}`,
  );
}

beforeAll(async () => {
  mock = await startMock();
  process.env.CHATTING_BASE_URL = `${mock.base}/api/zapier`;
  traffic = await appTraffic();
  mockRoutes = mock.server.routes.map((route) => ({
    method: route.method,
    url: route.url.replace(/^\/api\/zapier(?=\/)/, '').replace(/\/\*$/, '/{collection}'),
  }));
});
afterAll(async () => {
  delete process.env.CHATTING_BASE_URL;
  await mock.stop();
});

describe('openapi.yaml ↔ the mock', () => {
  test('every mock route is in openapi.yaml and every operation there is a mock route', () => {
    assert.deepEqual(routeProblems(openapi, mockRoutes), []);
  });

  test('every operation of openapi.yaml is answered by the mock (never an unknown route)', async () => {
    for (const op of operations(openapi)) {
      const path = op.path.replace(/\{[^}]+\}/g, 'guard_id');
      const url = path.startsWith('/__admin') ? path : `/api/zapier${path}`;
      // A body no schema accepts: the route must answer, and nothing may change.
      const answer = await mock.request(op.method, url, op.request ? { body: [] } : {});
      assert.notEqual(answer.status, 405, `${op.method} ${op.path}`);
      assert.ok(
        !(answer.status === 404 && answer.body.message === 'no such route'),
        `${op.method} ${op.path} is not served`,
      );
    }
  });

  test('self-test: a path missing from openapi.yaml, or one the mock lacks, is named', () => {
    const copy = structuredClone(openapi) as { paths: Record<string, unknown> };
    delete copy.paths['/contacts/{id}/tags'];
    copy.paths['/nothing'] = { get: { responses: {} } };
    const problems = routeProblems(copy, mockRoutes);
    assertNames(
      problems,
      /^the mock serves POST \/contacts\/\{id\}\/tags, openapi\.yaml does not list it$/,
    );
    assertNames(problems, /^openapi\.yaml lists GET \/nothing, the mock does not serve it$/);
  });
});

describe("openapi.yaml's error codes ↔ the mock", () => {
  test('each operation declares exactly the codes the mock can answer there, each under its status', async () => {
    const endpoints = await endpointModules();
    assert.equal(endpoints.length, 8);
    assert.deepEqual(errorCodeProblems(contract, openapi, endpoints), []);
  });

  test('self-test: a missing code, a code the mock never answers there and a wrong status are named', async () => {
    const copy = structuredClone(openapi) as {
      paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
    };
    const responses = copy.paths['/contacts'].post.responses;
    const restricted = (status: string) =>
      (
        ((responses[status].content as Json)['application/json'] as Json).schema as {
          allOf: { properties: { error: { enum: string[] } } }[];
        }
      ).allOf[1].properties.error;
    restricted('400').enum = ['invalid-email', 'invalid-request', 'missing-tag'];
    restricted('409').enum.push('payload-too-large');
    // A read cannot fail to store anything; every route can time out; a write can fail to store.
    copy.paths['/me'].get.responses['507'] = { $ref: '#/components/responses/StorageFull' };
    delete copy.paths['/webhooks/{id}'].delete.responses['408'];
    delete copy.paths['/conversations/{id}/messages'].post.responses['507'];
    const problems = errorCodeProblems(contract, copy, await endpointModules());
    assertNames(
      problems,
      /^the mock can answer POST \/contacts with missing-email, openapi\.yaml does not declare it$/,
    );
    assertNames(
      problems,
      /^openapi\.yaml declares missing-tag for POST \/contacts, the mock never answers it there$/,
    );
    assertNames(
      problems,
      /^openapi\.yaml declares payload-too-large under POST \/contacts 409; error\.json gives it 413$/,
    );
    assertNames(
      problems,
      /^openapi\.yaml declares storage-full for GET \/me, the mock never answers it there$/,
    );
    assertNames(
      problems,
      /^the mock can answer DELETE \/webhooks\/\{id\} with request-timeout, openapi\.yaml does not declare it$/,
    );
    assertNames(
      problems,
      /^the mock can answer POST \/conversations\/\{id\}\/messages with storage-full, openapi\.yaml does not declare it$/,
    );
  });
});

describe('app ↔ mock traffic ↔ schemas', () => {
  test('the app drove every API operation', () => {
    const seen = new Set(traffic.map((entry) => `${entry.method} ${entry.path.split('?')[0]}`));
    assert.ok(seen.size >= 9, [...seen].join(', '));
  });

  test('every request the app sent and every answer of the mock follow the schemas', () => {
    assert.deepEqual(trafficProblems(contract, openapi, traffic, 'the app'), []);
  });

  test('every property of the requests the app sends was sent by it', () => {
    assert.deepEqual(requestCoverageProblems(contract, openapi, traffic, 'the app'), []);
  });

  test('self-test: a request property the app cannot send names the app', () => {
    const schemas = mutated({
      'requests/create-contact': (schema) => {
        (schema.properties as Json).website = { type: 'string' };
      },
    });
    assertNames(
      requestCoverageProblems(schemas, openapi, traffic, 'the app'),
      /^the app never sent requests\/create-contact's website$/,
    );
  });

  test('self-test: a renamed request property names the app', () => {
    const schemas = mutated({ 'requests/add-tag': renameProperty('tag', 'label') });
    assertNames(
      trafficProblems(schemas, openapi, traffic, 'the app'),
      /^the app sent POST \/contacts\/\{id\}\/tags against requests\/add-tag/,
    );
  });

  test('self-test: a response field dropped from the schema names the mock', () => {
    const schemas = mutated({ 'responses/me': dropRequired('team_name') });
    assertNames(
      trafficProblems(schemas, openapi, traffic, 'the app'),
      /^the mock answered GET \/me 200 against responses\/me/,
    );
  });
});

describe('app definition ↔ schemas', () => {
  test('samples and output fields agree with the schemas', () => {
    assert.deepEqual(appDefinitionProblems(contract, App), []);
  });

  test("self-test: a renamed payload property names the app's sample and output field", () => {
    const schemas = mutated({
      'events/tag-added': renamePayloadField('added_by', 'author'),
    });
    const problems = appDefinitionProblems(schemas, App);
    assertNames(problems, /^the app's sample of tag_added is not a valid events\/tag-added/);
    assertNames(
      problems,
      /^the app's output field tag_added\.data__added_by is not in events\/tag-added or app\/derived-fields$/,
    );
  });
});

describe('reference examples ↔ schemas', () => {
  test('every example of the reference validates', () => {
    assert.deepEqual(referenceProblems(contract), []);
  });

  test('self-test: a dropped required field names the reference example', () => {
    const schemas = mutated({ 'responses/me': dropRequired('owner_email') });
    assertNames(
      referenceProblems(schemas),
      /^the reference example reference\/responses\/me\/workspace\.json is not a valid responses\/me/,
    );
  });
});
