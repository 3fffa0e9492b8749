/**
 * npm run zapier:compat [-- --json]
 *
 * Compares the compiled app with the newest release snapshot (releases/<version>.json) and lists
 * every change with the bump it needs (see scripts/release/compatibility.ts). Exit code 1 when
 * package.json's version differs from that release's by a smaller bump than the changes need
 * (or goes backwards); 0 otherwise, saying which bump the next release needs. `npm run
 * zapier:compat` compiles first; `npm test` runs it on the tree it has just compiled.
 *
 * With --before-upload (and as the _zapier-build of `zapier-platform push` or `build`, or of
 * `npm run zapier:push`), package.json still at the released version is refused when the app has
 * changed since that release: the upload would replace the released version.
 */
import { parseArgs } from 'node:util';
import { assess, describeChanges } from './release/guard';
import { zapierCommandAbove } from './release/invoking-command';

/**
 * The zapier-platform commands whose build is for an upload: push and upload send it, and build
 * makes the zip a bare upload sends. A warning would not do for build: the CLI shows a build
 * script's output only when it fails, and ends with "Now you can upload them".
 */
const FOR_UPLOAD = ['push', 'upload', 'build'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'before-upload': { type: 'boolean', default: false },
    },
  });
  // Run as _zapier-build, the guard is as strict as the zapier-platform command it runs for.
  const above = process.env.npm_lifecycle_event === '_zapier-build' ? zapierCommandAbove() : 'none';
  const uploading =
    values['before-upload'] || (typeof above === 'object' && FOR_UPLOAD.includes(above.command));
  const verdict = await assess({ uploading });
  if (above === 'unknown' && verdict.ok && verdict.needed && verdict.bump === 'none') {
    // Said, though the CLI shows a build script's output only when it fails.
    console.error(
      'Could not tell which zapier-platform command runs this build (no `ps`): if it is a push, ' +
        `it replaces the released ${verdict.version} with the changed app. Use npm run zapier:push.`,
    );
  }
  if (values.json) {
    // Output for a program: on stdout whatever the verdict, which the exit code carries.
    console.log(JSON.stringify(verdict, null, 2));
  } else {
    // A refusal goes to stderr: zapier-platform shows only that of a failed _zapier-build.
    const print = verdict.ok ? console.log : console.error;
    if (verdict.released && verdict.changes.length > 0) {
      print(
        `Changes since the ${verdict.released} release:\n\n${describeChanges(verdict.changes)}\n`,
      );
    }
    print(verdict.summary);
  }
  process.exitCode = verdict.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
