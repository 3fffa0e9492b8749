/** Reads a field of bundle.inputData as text: strings trimmed, numbers as written, else empty. */
export function inputText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * Reads a field of free text (a message) as the user wrote it: its indentation and line breaks
 * are part of it. Only text that is all whitespace reads as empty.
 */
export function inputProse(value: unknown): string {
  const text = typeof value === 'string' ? value : inputText(value);
  return text.trim() === '' ? '' : text;
}

/**
 * Reads a list field: Zapier gives a list, or text when a user maps one value into it. Every
 * text item is split on commas (`vip, demo` is two items), trimmed, and empty items dropped.
 */
export function inputList(value: unknown): string[] {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  return items.flatMap((item) =>
    inputText(item)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );
}
