/**
 * `node:assert/strict` for jest, which maps that import here (jest.config.js).
 *
 * jest runs each test file in its own V8 realm, while Node's own modules (structuredClone, fs,
 * node:sqlite) build their arrays and objects in the main realm. Strict deep equality compares
 * prototypes, so `["a"]` from structuredClone never equals the literal `["a"]` of a test, and
 * the failure reads "no visual difference". The deep comparisons here first copy plain objects
 * and arrays into one realm; every other assertion is Node's own, unchanged.
 */
import { strict as nodeAssert } from 'node:assert';

function inOneRealm(value: unknown): unknown {
  // Array.from, not map: map builds its result in the realm of the array it was called on.
  if (Array.isArray(value)) return Array.from(value, inOneRealm);
  if (value === null || typeof value !== 'object') return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  const plain =
    prototype === null ||
    (Object.getPrototypeOf(prototype) === null &&
      (prototype as { constructor?: { name?: string } }).constructor?.name === 'Object');
  if (!plain) return value;
  const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  for (const [key, entry] of Object.entries(value)) copy[key] = inOneRealm(entry);
  return copy;
}

type Deep = (actual: unknown, expected: unknown, message?: string | Error) => void;
const inOneRealmThen =
  (compare: Deep): Deep =>
  (actual, expected, message) =>
    compare(inOneRealm(actual), inOneRealm(expected), message);

function assert(value: unknown, message?: string | Error): asserts value {
  nodeAssert(value, message);
}
Object.assign(assert, nodeAssert, {
  deepEqual: inOneRealmThen(nodeAssert.deepEqual),
  deepStrictEqual: inOneRealmThen(nodeAssert.deepStrictEqual),
  notDeepEqual: inOneRealmThen(nodeAssert.notDeepEqual),
  notDeepStrictEqual: inOneRealmThen(nodeAssert.notDeepStrictEqual),
  strict: assert,
});

export default assert as typeof nodeAssert;
