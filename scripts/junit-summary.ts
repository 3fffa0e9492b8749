/**
 * What scripts/test.ts prints after jest: the totals of the JUnit file jest-junit wrote, and why
 * tests were skipped, grouped by reason (a bare "9 skipped" says nothing about what to install).
 */

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** How many tests were skipped for each reason, most first. */
  skipReasons: [reason: string, count: number][];
}

/** The reason in a skipped test's name, `(skipped: …)` as test/helpers/skip.ts writes it. */
function skipReason(name: string): string | null {
  const start = name.indexOf('(skipped: ');
  if (start < 0) return null;
  let depth = 0;
  for (let i = start; i < name.length; i++) {
    if (name[i] === '(') depth++;
    if (name[i] === ')' && --depth === 0) return name.slice(start + '(skipped: '.length, i);
  }
  return null;
}

const XML_ENTITIES: Record<string, string> = {
  '&quot;': '"',
  '&apos;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
};

/**
 * The summary of a JUnit file. `selected`: jest was given arguments, so a test skipped without
 * a reason in its name was left out by them (`-t`).
 */
export function junitSummary(xml: string, selected: boolean): TestSummary {
  const sum = (attribute: string) =>
    [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${attribute}="(\\d+)"`, 'g'))].reduce(
      (total, match) => total + Number(match[1]),
      0,
    );
  const failed = sum('failures') + sum('errors');
  const skipped = sum('skipped');
  const reasons = new Map<string, number>();
  for (const [, name] of xml.matchAll(/<testcase [^>]*\bname="([^"]*)"[^>]*>\s*<skipped\/>/g)) {
    const text = name.replace(/&(quot|apos|lt|gt|amp);/g, (entity) => XML_ENTITIES[entity]);
    const reason =
      skipReason(text) ?? (selected ? 'not selected by the jest arguments' : 'no reason given');
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    passed: sum('tests') - failed - skipped,
    failed,
    skipped,
    skipReasons: [...reasons].sort((a, b) => b[1] - a[1]),
  };
}
