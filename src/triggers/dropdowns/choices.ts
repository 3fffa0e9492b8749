/** What a dropdown offers: one choice per record, newest first, each with the id Zapier sends. */
export interface Choice {
  id: string;
  name: string;
}

/**
 * The choices of a list of recent events: the first (newest) event of each record, named by
 * `nameOf`. An event without its record's id offers nothing to choose: it is left out rather than
 * failing Zapier's check of the whole list.
 */
export function choicesOf<E>(
  items: readonly E[],
  idOf: (item: E) => unknown,
  nameOf: (item: E) => string,
): Choice[] {
  const choices = new Map<string, Choice>();
  for (const item of items) {
    const id = idOf(item);
    if (typeof id === 'string' && id !== '' && !choices.has(id)) {
      choices.set(id, { id, name: nameOf(item) });
    }
  }
  return [...choices.values()];
}
