/**
 * What the test files rely on from the runner: deep equality that holds across V8 realms and
 * still fails on a real difference, and each test file starting with Node's own http modules.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import vm from 'node:vm';

describe('node:assert/strict under jest', () => {
  const fromMainRealm = vm.runInNewContext('({ tags: ["a", "b"], nested: { n: 1 } })') as object;

  test('an object built in another realm equals the same literal', () => {
    assert.notEqual(Object.getPrototypeOf(fromMainRealm), Object.prototype);
    assert.deepEqual(fromMainRealm, { tags: ['a', 'b'], nested: { n: 1 } });
  });

  test('a real difference still fails, in either realm', () => {
    assert.throws(() => assert.deepEqual(fromMainRealm, { tags: ['a'], nested: { n: 1 } }));
    assert.throws(() => assert.deepEqual({ n: 1 }, { n: '1' }));
    assert.throws(() => assert.deepEqual([1, 2], [2, 1]));
  });

  test('class instances are still compared by their class', () => {
    assert.throws(() => assert.deepEqual(new Date(0), { getTime: () => 0 }));
    assert.throws(() => assert.deepEqual(new Map([[1, 2]]), { 1: 2 }));
  });

  test('every other assertion is Node’s own', () => {
    assert.throws(() => assert.equal(1, 2), assert.AssertionError);
    assert.throws(() => assert(false), assert.AssertionError);
    assert.equal(assert.strict, assert);
  });
});

describe('each test file starts from the http module as the worker first saw it', () => {
  test('nothing patched by an earlier file is left', () => {
    assert.equal((http as { patchedByZapier?: boolean }).patchedByZapier, undefined);
    assert.match(http.request.toString(), /^function request\(/);
  });
});
