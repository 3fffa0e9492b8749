import assert from 'node:assert/strict';
import { errorCodeFor, validate } from '../../schemas/validator';
import { negativeFixtures } from '../helpers/fixtures';

describe('every negative fixture fails with its error code', () => {
  for (const fixture of negativeFixtures()) {
    test(`${fixture.file}: ${fixture.why} → ${fixture.code}`, () => {
      const result = validate(fixture.schema, fixture.body);
      assert.equal(result.valid, false, 'the schema accepted it');
      if (result.valid) return;
      const [first] = result.errors;
      const at =
        first.keyword === 'required'
          ? `${first.instancePath}/${String(first.params.missingProperty)}`
          : first.instancePath;
      assert.equal(at, fixture.at, result.message);
      assert.equal(errorCodeFor(fixture.schema, first), fixture.code, result.message);
    });
  }
});
