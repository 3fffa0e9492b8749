/**
 * build.zip size against a bare app: builds the Chatting app's zip exactly as `npm run zapier:build`
 * does, and the zip of a bare app (an index.js exporting only version and platformVersion) on the
 * same zapier-platform-core, staged with the same production node_modules and built by the same
 * CLI. Prints bytes and files of both and the difference; exits 1 when ours is more than LIMIT
 * bytes above the bare one. `npm run bench` runs the same measurement as one of its cases.
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

export const BUILD_SIZE_LIMIT = 50_000;

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

export interface BuildSizes {
  bare: ZipSummary;
  ours: ZipSummary;
  /** Where both zips are, when kept. */
  kept?: string;
}

/** Builds both zips in a temporary folder; keeps them (for a look) only if `keep` says so. */
export function measureBuildSizes(keep: (sizes: BuildSizes) => boolean = () => false): BuildSizes {
  const out = mkdtempSync(path.join(tmpdir(), 'build-size-'));
  let kept = false;
  try {
    const sizes = {
      bare: buildStaged('bare', writeBareApp, path.join(out, 'bare.zip')),
      ours: buildStaged('chatting', writeChattingApp, path.join(out, 'chatting.zip')),
    };
    kept = keep(sizes);
    return kept ? { ...sizes, kept: out } : sizes;
  } finally {
    if (!kept) rmSync(out, { recursive: true, force: true });
  }
}

const format = (n: number): string => n.toLocaleString('en-US');
export const signed = (n: number): string => (n < 0 ? '' : '+') + format(n);

if (require.main === module) {
  const overLimit = ({ bare, ours }: BuildSizes) => ours.bytes - bare.bytes > BUILD_SIZE_LIMIT;
  const sizes = measureBuildSizes(overLimit);
  const { bare, ours } = sizes;
  const line = (label: string, zip: ZipSummary) =>
    console.log(`${label.padEnd(12)} ${format(zip.bytes).padStart(11)} bytes ${zip.files} files`);
  line('bare app', bare);
  line('chatting app', ours);
  const extra = ours.bytes - bare.bytes;
  console.log(
    `difference   ${signed(extra).padStart(11)} bytes ${signed(ours.files - bare.files)} files` +
      ` (limit ${signed(BUILD_SIZE_LIMIT)} bytes)`,
  );
  if (sizes.kept) {
    console.error(
      `over the limit by ${format(extra - BUILD_SIZE_LIMIT)} bytes; both zips are kept in ${sizes.kept}`,
    );
    process.exitCode = 1;
  }
}
