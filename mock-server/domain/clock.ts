/** Now, as every timestamp of the API is written: ISO-8601 UTC with milliseconds. */
export function now(): string {
  return new Date().toISOString();
}
