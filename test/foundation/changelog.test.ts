/**
 * `zapier-platform promote` takes a version's release notes from CHANGELOG.md: the version in
 * package.json must have a section there, read the way the CLI reads it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getVersionChangelog } from 'zapier-platform-cli/src/utils/changelog';
import { REPO } from '../helpers/child';

const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  version: string;
};

test(`CHANGELOG.md has release notes for ${version}, as zapier-platform promote reads them`, async () => {
  const { changelog } = await getVersionChangelog(version, REPO);
  assert.ok(changelog.length > 0, `no "## ${version}" section in CHANGELOG.md`);
});

test('a version without a section reads as none (the check above can fail)', async () => {
  const { changelog } = await getVersionChangelog('999.0.0', REPO);
  assert.equal(changelog, '');
});
