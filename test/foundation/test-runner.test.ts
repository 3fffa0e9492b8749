/**
 * What the test files rely on from the runner: deep equality that holds across V8 realms and
 * still fails on a real difference, each test file starting with Node's own http modules, and
 * no warning from node:sqlite in the output.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { REPO } from '../helpers/child';

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

describe('a test file that opens the store', () => {
  test('makes jest print no ExperimentalWarning, run in band as npm run test:fuzz is', async () => {
    const jest = require.resolve('jest/bin/jest');
    const { stderr } = await promisify(execFile)(
      process.execPath,
      [jest, 'test/mock/store.test.ts', '--runInBand', '--reporters=default'],
      { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    assert.match(stderr, /Tests: +\d+ passed/);
    assert.doesNotMatch(stderr, /ExperimentalWarning/);
  });
});
