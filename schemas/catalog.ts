/**
 * Where the schema files are and what they are called. Kept free of Ajv so that the code
 * generator and the OpenAPI checks can use it without compiling anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The schemas/ folder. This module runs from schemas/ (tsx) and from dist/schemas/ (compiled),
 * so it looks upwards for the folder that holds error.json instead of assuming one layout. The
 * compiled folder (the one holding catalog.js) never counts: tsc copies there every schema file
 * the app imports, and a copy is not the whole set.
 */
export const SCHEMA_ROOT: string = findSchemaRoot(__dirname);

function findSchemaRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    for (const candidate of [dir, path.join(dir, 'schemas')]) {
      const compiled = existsSync(path.join(candidate, 'catalog.js'));
      if (!compiled && existsSync(path.join(candidate, 'error.json'))) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error(`schemas/ not found above ${start}`);
  }
}

/** A schema's name is its path under schemas/ without .json, e.g. 'requests/create-contact'. */
export function schemaNames(root: string = SCHEMA_ROOT): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'generated') walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        names.push(path.relative(root, full).slice(0, -'.json'.length).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return names.sort();
}

export function schemaFile(name: string, root: string = SCHEMA_ROOT): string {
  return path.join(root, `${name}.json`);
}

/** The parsed JSON of one schema file. */
export function readSchema(name: string, root: string = SCHEMA_ROOT): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaFile(name, root), 'utf8')) as Record<string, unknown>;
}
