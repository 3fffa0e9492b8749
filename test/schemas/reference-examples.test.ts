import assert from 'node:assert/strict';
import { validate } from '../../schemas/validator';
import {
  contractFixtures,
  jsonExamplesOf,
  REFERENCE_DIR,
  referenceFixtures,
  referenceText,
} from '../helpers/fixtures';
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

describe("every example of the contract's own answers validates against its schema", () => {
  for (const fixture of contractFixtures()) {
    test(`${fixture.file} is a valid ${fixture.schema}`, () => {
      const result = validate(fixture.schema, fixture.body);
      assert.ok(result.valid, result.valid ? '' : result.message);
    });
  }
});

const text = referenceText();

testUnless(text === null && `the reference is not in ${REFERENCE_DIR}`)(
  'every JSON example in the reference is kept as a fixture',
  () => {
    const examples = jsonExamplesOf(text ?? '');
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
