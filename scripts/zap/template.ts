/**
 * Zapier's field mapping, as the Zap editor does it: a create's field holds text with
 * `{{field}}` placeholders naming fields of the trigger's output, where nested objects are
 * flattened with `__` (`data__visitor_email`, `data__tags`). A field that is a single
 * placeholder of a list gets the list; in text a list reads as comma-separated values.
 */

/** The trigger's output as the editor lists it: nested objects flattened with `__`. */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}__${key}` : key;
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      Object.assign(fields, flatten(inner as Record<string, unknown>, name));
    } else if (!(name in fields)) {
      fields[name] = inner;
    }
  }
  return fields;
}

const PLACEHOLDER = /\{\{\s*([\w.]+?)\s*\}\}/g;

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asText).join(',');
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

/** Names the template uses that the output does not have (Zapier leaves them empty). */
export function unknownFields(template: string, fields: Record<string, unknown>): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !(name in fields));
}

/** One field's value: its template with every placeholder filled in. */
export function render(template: string, fields: Record<string, unknown>): unknown {
  const whole = /^\{\{\s*([\w.]+?)\s*\}\}$/.exec(template);
  if (whole && Array.isArray(fields[whole[1]])) return fields[whole[1]];
  return template.replace(PLACEHOLDER, (_, name: string) => asText(fields[name]));
}

/**
 * A create's inputData from `field=template` pairs; `dict.key=template` fills one entry of a
 * dictionary field (such as `customFields.crm_owner`), and a list field (`listFields`) gets a
 * list even when its template makes one text.
 */
export function mapInput(
  templates: Record<string, string>,
  output: Record<string, unknown>,
  listFields: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const fields = flatten(output);
  const input: Record<string, unknown> = {};
  for (const [target, template] of Object.entries(templates)) {
    const value = render(template, fields);
    const dot = target.indexOf('.');
    if (dot < 0) {
      input[target] = listFields.has(target) && !Array.isArray(value) ? [value] : value;
    } else {
      const [dict, key] = [target.slice(0, dot), target.slice(dot + 1)];
      const entries = (input[dict] ??= {}) as Record<string, unknown>;
      entries[key] = value;
    }
  }
  return input;
}
