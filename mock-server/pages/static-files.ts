/**
 * Static files of the pages, by name from a fixed list: a request names a file, never a path,
 * so nothing outside the listed folders can be reached.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_ROOT } from '../../schemas/catalog';

/** The project's folder: the pages' files are read from the sources, from dist/ as well. */
export const PROJECT_ROOT = path.dirname(SCHEMA_ROOT);

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

export interface StaticFile {
  file: string;
  type: string;
}

/** The files of `dir` (only `names` of them, if given) that have a known media type. */
export function staticFiles(dir: string, names?: string[]): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of names ?? readdirSync(dir)) {
    const type = MEDIA_TYPES[path.extname(name)];
    if (type) files.set(name, { file: path.join(dir, name), type });
  }
  return files;
}
