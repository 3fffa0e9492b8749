/**
 * openapi.yaml's examples are values (a `$ref` inside an example is a literal by the OpenAPI
 * standard), generated from the fixtures each names in `x-fixture`: they must equal those
 * fixtures, and no example may hold a `$ref`.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import {
  fillExamples,
  fixtureExamples,
  fixtureValue,
  OPENAPI_PATH,
} from '../../scripts/openapi-examples';

const document = parseDocument(readFileSync(OPENAPI_PATH, 'utf8'));
const examples = fixtureExamples(document.toJS());

/** Every `$ref` under an example or examples key, with where it is. */
function refsInExamples(node: unknown, at = '', inExample = false): string[] {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${at}/${key}`;
    if (inExample && key === '$ref') return [here];
    return refsInExamples(value, here, inExample || key === 'example' || key === 'examples');
  });
}

test('the examples come from fixtures: every fixture of the reference and of the contract', () => {
  assert.ok(examples.length >= 30, `only ${examples.length}`);
  const named = JSON.stringify(examples.map((example) => example.template));
  for (const folder of ['reference', 'contract']) {
    assert.match(named, new RegExp(`test/fixtures/${folder}/`));
  }
});

for (const example of examples) {
  test(`${example.at.join(' › ')} equals its fixtures (npm run openapi:examples)`, () => {
    assert.deepEqual(example.value, fixtureValue(example.template));
  });
}

test('no example holds a $ref', () => {
  assert.deepEqual(refsInExamples(document.toJS()), []);
});

test('the generator writes the value of a fixture that changed, then finds nothing to do', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'openapi-examples-'));
  try {
    const fixture = 'test/fixtures/reference/responses/me/workspace.json';
    const changed = { ...(fixtureValue(fixture) as object), team_name: 'Changed' };
    mkdirSync(path.dirname(path.join(root, fixture)), { recursive: true });
    writeFileSync(path.join(root, fixture), JSON.stringify(changed));
    const copy = parseDocument(
      'paths:\n  /me:\n    example:\n      x-fixture: ' + fixture + '\n      value: {}\n',
    );
    assert.equal(fillExamples(copy, root), 1);
    assert.deepEqual(copy.toJS().paths['/me'].example.value, changed);
    assert.equal(fillExamples(copy, root), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
