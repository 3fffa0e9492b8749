/**
 * The README's input-field table is the app's: one row per input field of every trigger and
 * create (key, label, required, help text), and a row saying so for a step without any.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from '../helpers/app';
import { REPO } from '../helpers/child';

interface Field {
  key: string;
  label: string;
  required?: boolean;
  helpText?: string;
}
type Steps = Record<
  string,
  { display: { hidden?: boolean }; operation: { inputFields?: Field[] } }
>;

/** The rows the table must have, as cells. */
function expectedRows(): string[][] {
  const rows: string[][] = [];
  for (const steps of [App.triggers, App.creates] as unknown as Steps[]) {
    for (const [key, step] of Object.entries(steps)) {
      if (step.display.hidden) continue;
      const fields = step.operation.inputFields ?? [];
      if (fields.length === 0) rows.push([`\`${key}\``, '—', '', '', 'no input fields']);
      for (const field of fields)
        rows.push([
          `\`${key}\``,
          `\`${field.key}\``,
          field.label,
          field.required ? 'yes' : 'no',
          field.helpText ?? '—',
        ]);
    }
  }
  return rows;
}

/** The rows of the table under "### Input fields", as cells. */
function readmeRows(): string[][] {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.split('### Input fields')[1]?.split('\n### ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // header and separator
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

test('the README lists every input field of every trigger and create, as the app defines it', () => {
  const expected = expectedRows();
  assert.deepEqual(
    readmeRows(),
    expected,
    `the README's rows should be:\n${expected.map((r) => `| ${r.join(' | ')} |`).join('\n')}`,
  );
});
