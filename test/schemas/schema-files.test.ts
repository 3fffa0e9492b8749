import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSchema, SCHEMA_ROOT, schemaNames } from '../../schemas/catalog';
import { ERROR_CODES, compileAll, contract, statusOf } from '../../schemas/validator';
import { REFERENCE_DIR } from '../helpers/fixtures';
import { testUnless } from '../helpers/skip';

type Node = Record<string, unknown>;

function walk(node: unknown, visit: (node: Node, pointer: string) => void, pointer = ''): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, visit, `${pointer}/${i}`));
  else if (node && typeof node === 'object') {
    visit(node as Node, pointer);
    for (const [key, value] of Object.entries(node)) walk(value, visit, `${pointer}/${key}`);
  }
}

describe('schema files', () => {
  test('all of them compile under strict Ajv', () => {
    assert.doesNotThrow(() => compileAll());
  });

  for (const name of schemaNames()) {
    test(`${name}.json is 2020-12, titled, with no $id`, () => {
      const schema = readSchema(name);
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.equal(typeof schema.title, 'string');
      walk(schema, (node, pointer) => assert.ok(!('$id' in node), `$id at ${pointer}`));
    });
  }
});

describe('error codes', () => {
  test('every code has exactly one HTTP status, a 4xx or 5xx', () => {
    const statuses = (readSchema('error').$defs as Record<string, Node>).code['x-http-status'];
    assert.deepEqual(Object.keys(statuses as Node).sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) assert.ok(statusOf(code) >= 400 && statusOf(code) < 600);
  });

  const contract = path.join(REFERENCE_DIR, 'CONTRACT.md');
  testUnless(!existsSync(contract) && `CONTRACT.md is not at ${contract}`)(
    'the codes and statuses are those of CONTRACT.md',
    () => {
      const rows = [...readFileSync(contract, 'utf8').matchAll(/^\| ([a-z-]+) \| (\d{3}) \|/gm)];
      const table = Object.fromEntries(rows.map(([, code, status]) => [code, Number(status)]));
      assert.deepEqual(Object.keys(table).sort(), [...ERROR_CODES].sort());
      for (const code of ERROR_CODES) assert.equal(statusOf(code), table[code], code);
    },
  );

  test('every x-error-codes rule names a code of the enum', () => {
    for (const name of schemaNames()) {
      walk(readSchema(name), (node, pointer) => {
        const rule = node['x-error-codes'];
        if (rule === undefined) return;
        const codes = typeof rule === 'string' ? [rule] : Object.values(rule as Node);
        for (const code of codes) {
          assert.ok(ERROR_CODES.includes(code as never), `${name}${pointer}: ${String(code)}`);
        }
      });
    }
  });
});

describe('webhook payloads', () => {
  const eventSchemas = schemaNames().filter((n) => n.startsWith('events/') && n !== 'events/event');

  test('there is one payload schema per event name, and the union covers them all', () => {
    const names = readSchema('common/event-name').enum as string[];
    const consts = eventSchemas.map(
      (n) => (readSchema(n).properties as Record<string, Node>).event.const,
    );
    assert.deepEqual([...consts].sort(), [...names].sort());
    const union = (readSchema('events/event').oneOf as Node[]).map((ref) => ref.$ref);
    assert.deepEqual(union.sort(), eventSchemas.map((n) => `${path.basename(n)}.json`).sort());
  });

  for (const name of eventSchemas) {
    test(`${name}: one data__<field> for each scalar field of data, all required`, () => {
      const schema = readSchema(name);
      const data = (schema.$defs as Record<string, Node>).data;
      const dataProps = data.properties as Record<string, Node>;
      const flat = Object.keys(schema.properties as Node).filter((k) => k.startsWith('data__'));
      const scalars = Object.keys(dataProps).filter((field) => {
        const type = contract.resolve(name, dataProps[field]).type;
        return type !== 'array' && type !== 'object';
      });
      assert.deepEqual(flat.sort(), scalars.map((f) => `data__${f}`).sort());
      for (const field of scalars) {
        assert.equal(
          (schema.properties as Record<string, Node>)[`data__${field}`].$ref,
          `#/$defs/data/properties/${field}`,
          'a flat field is defined by its data field, never twice',
        );
      }
      assert.deepEqual(
        [...(schema.required as string[])].sort(),
        Object.keys(schema.properties as Node).sort(),
      );
      assert.equal(schema.additionalProperties, false);
    });

    test(`${name}: its occurrence key names required flat fields of what the event is about`, () => {
      const schema = readSchema(name);
      const key = schema['x-occurrence-key'] as string[];
      assert.ok(Array.isArray(key) && key.length > 0, 'x-occurrence-key is a non-empty list');
      assert.equal(new Set(key).size, key.length, 'no field twice');
      for (const field of key) {
        assert.ok((schema.required as string[]).includes(field), `${field} is required`);
        assert.match(field, /^data__/, `${field} is one of the event's own data fields`);
      }
    });
  }
});

describe('where the schemas are found', () => {
  test('the compiled catalog takes schemas/, not the copies tsc leaves in dist/schemas', () => {
    // A tree like the repo's: schemas/ and dist/schemas/ with a copied error.json beside catalog.js.
    const root = mkdtempSync(path.join(tmpdir(), 'schema-root-'));
    try {
      for (const dir of ['schemas', path.join('dist', 'schemas')]) {
        mkdirSync(path.join(root, dir), { recursive: true });
        writeFileSync(path.join(root, dir, 'error.json'), '{}');
      }
      const compiled = path.join(root, 'dist', 'schemas', 'catalog.js');
      copyFileSync(path.join(SCHEMA_ROOT, '..', 'dist', 'schemas', 'catalog.js'), compiled);
      const { SCHEMA_ROOT: found } = createRequire(__filename)(compiled) as { SCHEMA_ROOT: string };
      assert.equal(found, path.join(root, 'schemas'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
