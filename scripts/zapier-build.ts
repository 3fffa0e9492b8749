/**
 * `npm run zapier:build`: build/build.zip made in a staging folder holding only the app and its
 * production dependencies (see zapier-staging.ts), and build/source.zip made from the repo by the
 * CLI's own source.zip writer, so it holds the TypeScript sources as `zapier-platform build` in
 * the repo would. Uses the dist/ that `npm run build` made; never rebuilds it.
 */
import path from 'node:path';
import { BUILD_PATH, SOURCE_PATH } from 'zapier-platform-cli/src/constants';
import { makeSourceZip } from 'zapier-platform-cli/src/utils/build';
import { buildStaged, REPO, writeChattingApp } from './zapier-staging';

async function main(): Promise<void> {
  // Where `zapier-platform upload` reads them.
  const build = buildStaged('chatting', writeChattingApp, path.join(REPO, BUILD_PATH));
  await makeSourceZip(REPO, path.join(REPO, SOURCE_PATH));
  console.log(
    `${path.relative(REPO, build.path)}: ${build.bytes} bytes, ${build.files} files (source.zip beside it)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
