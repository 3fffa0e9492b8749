/**
 * The fixtures under test/fixtures, read by their layout:
 * - reference/<schema name>/<example>.json: an example of the API reference, valid against
 *   schemas/<schema name>.json;
 * - negative/<schema name>/<case>.json: `{why, body, code, at}`, a body that must fail that
 *   schema with error code `code` at instance path `at`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorCode, SchemaName } from '../../schemas/validator';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export interface ReferenceFixture {
  file: string;
  schema: SchemaName;
  body: unknown;
}

export interface NegativeFixture {
  file: string;
  schema: SchemaName;
  why: string;
  body: unknown;
  code: ErrorCode;
  at: string;
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort();
}

function schemaOf(file: string): SchemaName {
  return path.dirname(file).split(path.sep).join('/') as SchemaName;
}

export function referenceFixtures(): ReferenceFixture[] {
  const dir = path.join(FIXTURES, 'reference');
  return jsonFilesUnder(dir).map((file) => ({
    file: `reference/${file}`,
    schema: schemaOf(file),
    body: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown,
  }));
}

export function negativeFixtures(): NegativeFixture[] {
  const dir = path.join(FIXTURES, 'negative');
  return jsonFilesUnder(dir).map((file) => ({
    file: `negative/${file}`,
    schema: schemaOf(file),
    ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<
      NegativeFixture,
      'file' | 'schema'
    >),
  }));
}

/** The reference and the contract decisions live in ../shared/reference beside the clone. */
export const REFERENCE_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'reference');

/** One reference example, by its file under fixtures/reference (e.g. 'responses/me/workspace'). */
export function referenceExample(name: string): unknown {
  return JSON.parse(
    readFileSync(path.join(FIXTURES, 'reference', `${name}.json`), 'utf8'),
  ) as unknown;
}
