/**
 * build.zip size against a bare app: builds the Chatting app's zip exactly as `npm run zapier:build`
 * does, and the zip of a bare app (an index.js exporting only version and platformVersion) on the
 * same zapier-platform-core, staged with the same production node_modules and built by the same
 * CLI. Prints bytes and files of both and the difference; exits 1 when ours is more than LIMIT
 * bytes above the bare one.
 *
 *   npm run build && npm run bench:build-size
 *
 * Offline: both apps take their node_modules from the repo's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildStaged,
  copyFromRepo,
  writeChattingApp,
  type ZipSummary,
} from '../scripts/zapier-staging';
import { dependencies } from '../package.json';

const LIMIT = 50_000;

function writeBareApp(stage: string): void {
  const packageJson = { name: 'bare-app', version: '1.0.0', main: 'index.js', dependencies };
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(
    path.join(stage, 'index.js'),
    "module.exports = { version: '1.0.0', platformVersion: require('zapier-platform-core').version };\n",
  );
  // Without a .gitignore the CLI warns and puts node_modules into source.zip.
  writeFileSync(path.join(stage, '.gitignore'), 'node_modules/\n');
  // zapier-platform-core itself needs the require.mjs files this includeInBuild adds.
  copyFromRepo(stage, '.zapierapprc');
}

const format = (n: number): string => n.toLocaleString('en-US');
const signed = (n: number): string => (n < 0 ? '' : '+') + format(n);

const out = mkdtempSync(path.join(tmpdir(), 'build-size-'));
let overLimit = false;
try {
  const bare = buildStaged('bare', writeBareApp, path.join(out, 'bare.zip'));
  const ours = buildStaged('chatting', writeChattingApp, path.join(out, 'chatting.zip'));
  const line = (label: string, zip: ZipSummary) =>
    console.log(`${label.padEnd(12)} ${format(zip.bytes).padStart(11)} bytes ${zip.files} files`);
  line('bare app', bare);
  line('chatting app', ours);
  const extra = ours.bytes - bare.bytes;
  console.log(
    `difference   ${signed(extra).padStart(11)} bytes ${signed(ours.files - bare.files)} files` +
      ` (limit ${signed(LIMIT)} bytes)`,
  );
  overLimit = extra > LIMIT;
  if (overLimit) {
    console.error(`over the limit by ${format(extra - LIMIT)} bytes; both zips are kept in ${out}`);
    process.exitCode = 1;
  }
} finally {
  if (!overLimit) rmSync(out, { recursive: true, force: true });
}
