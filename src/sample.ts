/**
 * Zapier types a sample as a plain record; ours are typed by their schemas. This hands one over
 * without a cast (a copy of its own fields).
 */
export function asSample(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value));
}
