/**
 * The pages the mock serves (the dashboard at /, the docs at /docs) and /openapi.json, over
 * HTTP: files by name only, the envelope for anything else, and the bundled document built from
 * openapi.yaml as it is now.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readSchema } from '../../schemas/catalog';
import { OPENAPI_FILE } from '../../mock-server/pages/openapi-document';
import { send } from '../helpers/http';
import { startMock, type RunningMock } from '../helpers/mock';

let mock: RunningMock;
const get = (path: string) => send(`${mock.base}${path}`, 'GET');

beforeAll(async () => {
  mock = await startMock();
});
afterAll(async () => {
  await mock.stop();
});

/** Every `$ref` in a JSON value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
    );
  }
  return [];
}

describe('/openapi.json', () => {
  test('is openapi.yaml as it is now, every schema file bundled in, no reference left outside', async () => {
    const reply = await get('/openapi.json');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    const source = parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: object; openapi: string };
    assert.equal(reply.body.openapi, source.openapi);
    assert.deepEqual(Object.keys(reply.body.paths), Object.keys(source.paths));
    const outside = refs(reply.body).filter((ref) => !ref.startsWith('#'));
    assert.deepEqual(outside, []);
    assert.ok(refs(reply.body).length > 0, 'refs stay refs (bundled, not inlined)');
  });

  test('refers only to shared components: without the admin paths it still dereferences', async () => {
    const reply = await get('/openapi.json');
    const inward = refs(reply.body).filter((ref) => !ref.startsWith('#/components/'));
    assert.deepEqual(inward, [], 'a reference into an operation breaks when a tool drops it');
    // What Portman's --filterFile does with the admin tag left out: its operations are gone.
    const publicOnly = structuredClone(reply.body) as { paths: Record<string, object> };
    for (const [path, item] of Object.entries(publicOnly.paths)) {
      const operations = Object.values(item).filter((op: { tags?: string[] }) =>
        Array.isArray(op.tags),
      ) as { tags: string[] }[];
      if (operations.every((op) => op.tags.includes('Admin (mock only)'))) {
        delete publicOnly.paths[path];
      }
    }
    assert.ok(Object.keys(publicOnly.paths).length >= 7, 'the public paths stay');
    const dereferenced = await $RefParser.dereference<typeof publicOnly>(publicOnly);
    assert.deepEqual(refs(dereferenced), []);
    const me = dereferenced.paths['/me'] as {
      get: { responses: Record<string, { content: Record<string, { schema: object }> }> };
    };
    const schema = me.get.responses['200'].content['application/json'].schema as {
      properties: object;
    };
    assert.deepEqual(Object.keys(schema.properties), [
      'ok',
      'workspace_id',
      'team_name',
      'owner_email',
    ]);
  });

  test('refers to whole components only, and every schema is referred to: pruning what is unused leaves nothing dangling', async () => {
    const reply = await get('/openapi.json');
    const all = refs(reply.body);
    // A reference into a component made tools call that component unused, and prune it.
    const inner = all.filter((ref) => !/^#\/components\/[A-Za-z]+\/[^/]+$/.test(ref));
    assert.deepEqual(inner, []);
    const schemas = reply.body.components.schemas as Record<string, unknown>;
    const unused = Object.keys(schemas).filter(
      (name) =>
        !Object.entries(reply.body as object).some(([key, part]) =>
          refs(key === 'components' ? { ...reply.body.components, schemas: {} } : part).includes(
            `#/components/schemas/${name}`,
          ),
        ) &&
        !Object.entries(schemas).some(
          ([other, schema]) =>
            other !== name && refs(schema).includes(`#/components/schemas/${name}`),
        ),
    );
    assert.deepEqual(unused, []);
    // Contact's email, which requests and events share, is a component of its own, once.
    assert.ok(schemas['Contact.email']);
    assert.ok(all.includes('#/components/schemas/Contact.email'));
  });

  test('names this server first, at the address the browser used, for the API and the admin API', async () => {
    const port = new URL(mock.base).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      // fetch sets Host itself: inject sends the one a browser on another name would.
      const answer = await mock.server.app.inject({ url: '/openapi.json', headers: { host } });
      const reply = { body: answer.json() };
      assert.equal(reply.body.servers[0].url, `http://${host}/api/zapier`);
      assert.ok(
        reply.body.servers.some((s: { url: string }) => s.url.startsWith('https://')),
        'production stays listed',
      );
      assert.deepEqual(reply.body.paths['/__admin/health'].servers, [
        { url: `http://${host}`, description: 'This mock server' },
      ]);
    }
  });
});

describe('the pages', () => {
  test('/ and /docs are HTML that may load only this server’s files', async () => {
    for (const path of ['/', '/docs']) {
      const reply = await get(path);
      assert.equal(reply.status, 200, path);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(reply.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.match(reply.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    }
    const page = (await get('/')).text;
    for (const [, file] of page.matchAll(/(?:src|href)="(\/[^"]+)"/g)) {
      assert.equal((await get(file)).status, 200, `${file}, named by the dashboard`);
    }
    const docs = (await get('/docs')).text;
    for (const [, file] of docs.matchAll(/(?:src|href)="(\/[^"]+)"/g)) {
      if (file === '/openapi.json' || file === '/') continue;
      const reply = await get(file);
      assert.equal(reply.status, 200, `${file}, named by the docs page`);
    }
  });

  test('only the listed files are served: anything else is the not-found envelope', async () => {
    for (const path of [
      '/docs/package.json',
      '/docs/index.js',
      '/docs/swagger-initializer.js',
      '/dashboard/..%2F..%2Fpackage.json',
      '/dashboard/%2e%2e%2fplugin.ts',
      '/dashboard/nothing.js',
    ]) {
      const reply = await get(path);
      assert.equal(reply.status, 404, path);
      assert.equal(reply.body.error, 'not-found', path);
    }
  });

  test('other methods get the method-not-allowed envelope', async () => {
    for (const path of ['/', '/docs', '/openapi.json', '/dashboard/dashboard.js']) {
      const reply = await send(`${mock.base}${path}`, 'POST', { body: {} });
      assert.equal(reply.status, 405, path);
      assert.equal(reply.body.error, 'method-not-allowed');
      assert.equal(reply.headers.get('allow'), 'GET, HEAD');
    }
  });

  test('page loads stay out of the request journal and out of the API routes', async () => {
    await get('/');
    await get('/openapi.json');
    await get('/docs/swagger-ui.css');
    const journal = await mock.request('GET', '/__admin/journal?limit=1000', { key: null });
    const paths = journal.body.items
      .filter((e: { method: string }) => e.method === 'GET')
      .map((e: { path: string }) => e.path);
    assert.ok(
      !paths.some((p: string) => /^\/(docs|dashboard|openapi\.json|$)/.test(p)),
      paths.join(),
    );
    const routes = mock.server.routes.map((r) => r.url);
    assert.ok(!routes.includes('/') && !routes.includes('/openapi.json'), routes.join());
  });
});

describe('the dashboard’s prefilled events (the examples of admin/simulate-event)', () => {
  const examples = readSchema('admin/simulate-event').examples as {
    workspace_id: string;
    event: string;
    data: object;
  }[];

  test('there is one for every event', () => {
    const events = readSchema('common/event-name').enum as string[];
    assert.deepEqual(examples.map((e) => e.event).sort(), [...events].sort());
  });

  test('each happens, and again: the form can be sent as often as wanted', async () => {
    for (const example of [...examples, ...examples]) {
      const reply = await mock.request('POST', '/__admin/events', { key: null, body: example });
      assert.equal(reply.status, 201, `${example.event}: ${reply.text}`);
      assert.deepEqual(reply.body.event.data, { ...reply.body.event.data, ...example.data });
    }
  });
});
