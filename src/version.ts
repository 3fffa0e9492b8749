/**
 * The app's version: the root package.json's, read when the app loads. It sits two folders
 * above this compiled file (dist/src/) in the repo and in build.zip alike. Importing it would make
 * tsc copy it into dist/, a copy that only the next compile refreshes: a version bumped after a
 * compile would then ship as the old one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- read at load time, see above
const packageJson = require('../../package.json') as { version: string };

export const APP_VERSION = packageJson.version;
