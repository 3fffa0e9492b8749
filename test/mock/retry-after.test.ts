import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../mock-server/events/retry-after';

describe("a target's Retry-After", () => {
  const now = Date.parse('2026-04-09T00:00:00.000Z');

  test('whole seconds', () => {
    assert.equal(retryAfterMs('0', now), 0);
    assert.equal(retryAfterMs('5', now), 5000);
    assert.equal(retryAfterMs(' 7 ', now), 7000);
  });

  test('an HTTP date, as the time left until it', () => {
    assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
  });

  test('a date in the past is now', () => {
    assert.equal(retryAfterMs(new Date(now - 60_000).toUTCString(), now), 0);
  });

  test('anything longer than the cap is capped', () => {
    assert.equal(retryAfterMs('86400', now), MAX_RETRY_AFTER_MS);
  });

  for (const header of [undefined, '', 'soon', '-5', '1.5', '0x10']) {
    test(`${JSON.stringify(header)} is unreadable: null`, () => {
      assert.equal(retryAfterMs(header, now), null);
    });
  }
});
