import assert from 'node:assert/strict';
import { makeApiKey, secretMatches } from '../../mock-server/domain/keys';

const AT = '2026-04-01T00:00:00.000Z';
const TOKEN = 'chatting_live_rotating_firstsecretfirstsecret';
const SECRET = 'firstsecretfirstsecret';

describe('API key secrets', () => {
  test('a verified secret keeps verifying, a wrong one never does', () => {
    const { record } = makeApiKey('owner_123', AT, TOKEN);
    for (let i = 0; i < 3; i++) {
      assert.equal(secretMatches(record, SECRET), true);
      assert.equal(secretMatches(record, 'wrongsecretwrongsecret'), false);
    }
  });

  test('a key given a new secret under the same id refuses the old one, even once verified', () => {
    const { record } = makeApiKey('owner_123', AT, TOKEN);
    assert.equal(secretMatches(record, SECRET), true);
    // Rotated in place, as a stored record is updated: same object, same id, new salt and hash.
    Object.assign(
      record,
      makeApiKey('owner_123', AT, 'chatting_live_rotating_othersecretothersecret').record,
    );
    assert.equal(secretMatches(record, SECRET), false);
    assert.equal(secretMatches(record, 'othersecretothersecret'), true);
  });

  test('the same secret under a salt of its own is checked against that salt', () => {
    const first = makeApiKey('owner_123', AT, TOKEN).record;
    const second = makeApiKey('owner_123', AT, TOKEN).record;
    assert.notEqual(first.salt, second.salt);
    assert.equal(secretMatches(first, SECRET), true);
    assert.equal(secretMatches(second, SECRET), true);
    assert.equal(secretMatches({ ...second, hash: first.hash }, SECRET), false);
  });
});
