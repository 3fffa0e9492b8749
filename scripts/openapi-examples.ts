/**
 * openapi.yaml's examples are real values (a `$ref` inside an example is a literal by the
 * OpenAPI standard), taken from the one source of fixtures, test/fixtures/. Each example that
 * comes from fixtures names them in `x-fixture`: a fixture file, or a template whose
 * `{x-fixture: <file>}` nodes stand for files (`{ok: true, items: [{x-fixture: …}]}`). Its
 * `value` is generated from that:
 *
 *   npm run openapi:examples    # writes every value into openapi.yaml (comments kept)
 *
 * and a test (test/schemas/openapi-examples.test.ts) fails when a value and its fixtures differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Prettier from 'prettier';
import { parseDocument, type Document } from 'yaml';

export const PROJECT_ROOT = path.join(__dirname, '..');
export const OPENAPI_PATH = path.join(PROJECT_ROOT, 'openapi.yaml');

type Json = unknown;

/** The value an `x-fixture` stands for: a file's JSON, or a template with files in it. */
export function fixtureValue(template: Json, root: string = PROJECT_ROOT): Json {
  if (typeof template === 'string') {
    return JSON.parse(readFileSync(path.join(root, template), 'utf8')) as Json;
  }
  if (Array.isArray(template)) return template.map((item) => fixtureValue(item, root));
  if (template && typeof template === 'object') {
    const entries = Object.entries(template);
    const [first] = entries;
    if (entries.length === 1 && first[0] === 'x-fixture') return fixtureValue(first[1], root);
    return Object.fromEntries(entries.map(([key, value]) => [key, inTemplate(value, root)]));
  }
  return template;
}

/** Inside a template, only `{x-fixture: …}` nodes are files; other strings are themselves. */
function inTemplate(node: Json, root: string): Json {
  if (Array.isArray(node)) return node.map((item) => inTemplate(item, root));
  if (node && typeof node === 'object') return fixtureValue(node, root);
  return node;
}

export interface FixtureExample {
  /** Where the example is, as keys from the document's root. */
  at: (string | number)[];
  template: Json;
  value: Json;
}

/** Every example of the document that names its fixtures, with its value as written. */
export function fixtureExamples(doc: Json, at: (string | number)[] = []): FixtureExample[] {
  if (!doc || typeof doc !== 'object') return [];
  const node = doc as Record<string, Json>;
  if ('x-fixture' in node && at.length > 0 && !Array.isArray(doc)) {
    return [{ at, template: node['x-fixture'], value: node.value }];
  }
  return Object.entries(node).flatMap(([key, child]) =>
    fixtureExamples(child, [...at, Array.isArray(doc) ? Number(key) : key]),
  );
}

/** Writes each fixture example's value into the YAML document; returns how many changed. */
export function fillExamples(document: Document, root: string = PROJECT_ROOT): number {
  let changed = 0;
  for (const example of fixtureExamples(document.toJS())) {
    const value = fixtureValue(example.template, root);
    if (JSON.stringify(value) === JSON.stringify(example.value)) continue;
    document.setIn([...example.at, 'value'], document.createNode(value));
    changed++;
  }
  return changed;
}

async function main(): Promise<void> {
  // Loaded here, not with the module: the test imports this module under jest, where prettier's
  // own dynamic imports cannot run.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { format, resolveConfig } = require('prettier') as typeof Prettier;
  const document = parseDocument(readFileSync(OPENAPI_PATH, 'utf8'));
  const changed = fillExamples(document);
  // Written out, the YAML library folds the `>-` descriptions its own way: a file already in sync
  // is left as it is.
  if (changed === 0) {
    console.log('openapi.yaml: every example value is already the one in test/fixtures/');
    return;
  }
  // Lines as they are (prettier lays the file out); new strings quoted, so that no YAML reader
  // takes a timestamp for a date.
  const yaml = document.toString({
    lineWidth: 100,
    defaultStringType: 'QUOTE_SINGLE',
    defaultKeyType: 'PLAIN',
  });
  const text = await format(yaml, {
    ...(await resolveConfig(OPENAPI_PATH)),
    filepath: OPENAPI_PATH,
  });
  writeFileSync(OPENAPI_PATH, text);
  console.log(`openapi.yaml: ${changed} example value(s) written from test/fixtures/`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
