/**
 * jest cannot skip a test from inside it, so a case the setup cannot support is decided when it
 * is defined, and its name carries the reason into the report (and the JUnit file).
 */
type Reason = string | false;

export function testUnless(reason: Reason) {
  return (name: string, fn: jest.ProvidesCallback): void =>
    reason ? test.skip(`${name} (skipped: ${reason})`, fn) : test(name, fn);
}

export function describeUnless(reason: Reason) {
  return (name: string, fn: () => void): void =>
    reason ? describe.skip(`${name} (skipped: ${reason})`, fn) : describe(name, fn);
}
