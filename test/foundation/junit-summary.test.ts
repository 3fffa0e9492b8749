/** npm test's closing lines: the totals of jest's JUnit file, and the skipped tests by reason. */
import assert from 'node:assert/strict';
import { junitSummary } from '../../scripts/junit-summary';

const skipped = (name: string) =>
  `<testcase classname="${name}" name="${name}" time="0" file="x.test.ts">\n      <skipped/>\n    </testcase>`;

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="6" failures="1" errors="0" time="1">
  <testsuite name="pages" errors="0" failures="0" skipped="2" timestamp="t" time="1" tests="2">
    ${skipped('QA dashboard (skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)) shows workspaces')}
    ${skipped('QA dashboard (skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)) fires an event')}
  </testsuite>
  <testsuite name="reference" errors="0" failures="1" skipped="2" timestamp="t" time="1" tests="4">
    ${skipped('examples answer as documented (skipped: the reference is not in /x/&quot;shared&quot;/reference)')}
    ${skipped('a test left out by -t')}
    <testcase classname="a" name="passes" time="0.1" file="y.test.ts">
    </testcase>
    <testcase classname="b" name="fails" time="0.1" file="y.test.ts">
      <failure>AssertionError</failure>
    </testcase>
  </testsuite>
</testsuites>`;

test('totals, and each reason a test was skipped for with how many, most first', () => {
  assert.deepEqual(junitSummary(XML, false), {
    passed: 1,
    failed: 1,
    skipped: 4,
    skipReasons: [
      ['no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)', 2],
      ['the reference is not in /x/"shared"/reference', 1],
      ['no reason given', 1],
    ],
  });
});

test('with jest arguments, a test skipped without a reason was not selected by them', () => {
  assert.deepEqual(junitSummary(XML, true).skipReasons[2], [
    'not selected by the jest arguments',
    1,
  ]);
});
