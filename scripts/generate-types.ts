/**
 * Generates TypeScript types from schemas/ so that no payload shape is written twice.
 * Output: schemas/generated/<same path>.ts per schema, plus schemas/generated/index.ts that
 * re-exports every root type and maps each schema name to its type (SchemaTypes), and to the
 * type the request reader hands over (SchemaReadTypes: properties with a default are present).
 * The output is git-ignored and rebuilt by `npm run build` (and before typecheck/tests).
 */
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_ROOT, schemaNames } from '../schemas/catalog';

const OUT = path.join(SCHEMA_ROOT, 'generated');
const BANNER = '/* Generated from schemas/ by scripts/generate-types.ts. Do not edit. */';

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  const index: string[] = [BANNER];
  const map: string[] = [];
  const readMap: string[] = [];
  for (const name of schemaNames()) {
    const file = path.join(SCHEMA_ROOT, `${name}.json`);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as JSONSchema;
    if (!schema.title) throw new Error(`${name}.json needs a title: it names the generated type`);
    const source = await compile(schema, schema.title, {
      cwd: path.dirname(file),
      bannerComment: BANNER,
      additionalProperties: false,
      format: true,
    });
    const out = path.join(OUT, `${name}.ts`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, source);
    index.push(`import type { ${schema.title} } from './${name}';`);
    index.push(`export type { ${schema.title} } from './${name}';`);
    map.push(`  '${name}': ${schema.title};`);
    const defaulted = Object.entries((schema.properties ?? {}) as Record<string, JSONSchema>)
      .filter(([, property]) => property.default !== undefined)
      .map(([property]) => `'${property}'`);
    readMap.push(
      defaulted.length === 0
        ? `  '${name}': ${schema.title};`
        : `  '${name}': ${schema.title} & Required<Pick<${schema.title}, ${defaulted.join(' | ')}>>;`,
    );
  }
  index.push('', '/** Each schema name (its path under schemas/, without .json) and its type. */');
  index.push('export interface SchemaTypes {', ...map, '}', '');
  index.push(
    '/** Each schema as readRequest hands it over: properties with a default are present. */',
  );
  index.push('export interface SchemaReadTypes {', ...readMap, '}', '');
  writeFileSync(path.join(OUT, 'index.ts'), index.join('\n'));
  console.log(`generated types for ${map.length} schemas in ${path.relative(process.cwd(), OUT)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
