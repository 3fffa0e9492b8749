/**
 * The app's version: the root package.json's, read when the app loads. The root is the nearest
 * folder above this module with both `package.json` and `index.js`: the repo when it runs from
 * src/ (a scaffolded test) or dist/src/, build.zip's root on Zapier. Importing package.json would
 * make tsc copy it into dist/, a copy only the next compile refreshes: a version bumped after a
 * compile would then ship as the old one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function appRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'index.js'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json and index.js above ${start}`);
  }
}

export const APP_VERSION = (
  JSON.parse(readFileSync(path.join(appRoot(__dirname), 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
