/** Reads a field of bundle.inputData as text: strings trimmed, numbers as written, else empty. */
export function inputText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
