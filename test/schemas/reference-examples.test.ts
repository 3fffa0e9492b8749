import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validate } from '../../schemas/validator';
import { REFERENCE_DIR, referenceFixtures } from '../helpers/fixtures';
import { testUnless } from '../helpers/skip';

const fixtures = referenceFixtures();

describe('every example of the API reference validates against its schema', () => {
  for (const fixture of fixtures) {
    test(`${fixture.file} is a valid ${fixture.schema}`, () => {
      const result = validate(fixture.schema, fixture.body);
      assert.ok(result.valid, result.valid ? '' : result.message);
    });
  }
});

/** The JSON blocks of the reference text: each starts with a line that is just "{". */
function jsonExamplesOf(text: string): unknown[] {
  const examples: unknown[] = [];
  const lines = text.split('\n');
  for (let start = 0; start < lines.length; start++) {
    if (lines[start].trim() !== '{') continue;
    let depth = 0;
    const block: string[] = [];
    for (let i = start; i < lines.length; i++) {
      let line = lines[i];
      for (let c = 0; c < line.length; c++) {
        if (line[c] === '{') depth++;
        if (line[c] === '}' && --depth === 0) {
          line = line.slice(0, c + 1); // the reference runs prose on after a closing brace
          break;
        }
      }
      block.push(line);
      if (depth === 0) {
        examples.push(JSON.parse(block.join('\n')));
        start = i;
        break;
      }
    }
  }
  return examples;
}

const referenceText = path.join(REFERENCE_DIR, 'chatting-zapier-api.txt');

testUnless(!existsSync(referenceText) && `the reference is not at ${referenceText}`)(
  'every JSON example in the reference is kept as a fixture',
  () => {
    const examples = jsonExamplesOf(readFileSync(referenceText, 'utf8'));
    assert.ok(examples.length >= 14, `found only ${examples.length} examples`);
    for (const example of examples) {
      const kept = fixtures.some((fixture) => {
        try {
          assert.deepStrictEqual(fixture.body, example);
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(kept, `no fixture holds ${JSON.stringify(example)}`);
    }
  },
);
