/**
 * The one function that turns a Chatting event payload into a trigger result, used by `perform`
 * (a delivered webhook), `performList` (the sample endpoints) and the triggers' static samples
 * alike, so a live event and a sample always have the same keys.
 *
 * A result is the payload as Chatting sends it plus fields the app derives from it
 * (schemas/app/derived-fields.json): Zapier needs an `id` on every result, built from the event,
 * what it is about and when, so it is unique per occurrence and the same for the same event
 * whichever way it arrives; and a person's full name is also given as first and last name, which
 * many apps a Zap feeds ask for separately.
 */
import type { DerivedFields, WebhookEvent } from '../schemas/generated';
import contactCreated from '../schemas/events/contact-created.json';
import conversationCreated from '../schemas/events/conversation-created.json';
import conversationResolved from '../schemas/events/conversation-resolved.json';
import tagAdded from '../schemas/events/tag-added.json';

/** Payload fields that hold a person's full name, and the output fields its parts go to. */
const PERSON_NAMES = [
  { from: 'data__visitor_name', first: 'visitor_first_name', last: 'visitor_last_name' },
  { from: 'data__name', first: 'first_name', last: 'last_name' },
] as const satisfies readonly {
  from: string;
  first: keyof DerivedFields;
  last: keyof DerivedFields;
}[];

type NamePartKey = (typeof PERSON_NAMES)[number]['first' | 'last'];
export type PersonNameField = (typeof PERSON_NAMES)[number]['from'];

/** The output fields a payload's full-name field gives its first and last name in. */
export function namePartKeys(from: PersonNameField): { first: NamePartKey; last: NamePartKey } {
  const { first, last } = PERSON_NAMES.find((name) => name.from === from)!;
  return { first, last };
}

export type TriggerResult<E extends WebhookEvent = WebhookEvent> = E & {
  id: string;
} & Partial<Pick<DerivedFields, NamePartKey>>;

/**
 * What each event is about, in its schema's `x-occurrence-key`: the payload fields that, with the
 * event and its time, tell one occurrence from another. Live Zaps remember the ids they have seen,
 * so the fields and their order are part of the app's contract (the release guard compares them).
 */
const OCCURRENCE_KEY_OF: { [E in WebhookEvent as E['event']]: readonly string[] } = {
  'conversation.created': conversationCreated['x-occurrence-key'],
  'conversation.resolved': conversationResolved['x-occurrence-key'],
  'contact.created': contactCreated['x-occurrence-key'],
  'tag.added': tagAdded['x-occurrence-key'],
};

export function occurrenceId(payload: WebhookEvent): string {
  const about = (OCCURRENCE_KEY_OF[payload.event] ?? [])
    .filter((key) => key in payload)
    .map((key): unknown => Reflect.get(payload, key));
  return [payload.event, ...about, payload.timestamp].join(':');
}

/**
 * A full name as first name (its first word) and last name (the rest): `Ava Brooks` → `Ava`,
 * `Brooks`; `Ludwig van Beethoven` → `Ludwig`, `van Beethoven`; no name → two empty strings, so
 * the fields are there for mapping whatever the event carried.
 */
export function splitName(fullName: unknown): [first: string, last: string] {
  const words = typeof fullName === 'string' ? fullName.trim().split(/\s+/).filter(Boolean) : [];
  return [words[0] ?? '', words.slice(1).join(' ')];
}

/** The full-name field an event's payload type has, or null (checked against schemas/events/). */
type NameFieldOf<E> = [Extract<PersonNameField, keyof E>] extends [never]
  ? null
  : Extract<PersonNameField, keyof E>;

/**
 * Each event's full-name field, by its payload type: the name parts follow the event, so they are
 * there (empty) even for a payload that leaves its name out.
 */
const NAME_FIELD_OF: { [E in WebhookEvent as E['event']]: NameFieldOf<E> } = {
  'conversation.created': 'data__visitor_name',
  'conversation.resolved': null,
  'contact.created': 'data__name',
  'tag.added': null,
};

export function toTriggerResult<E extends WebhookEvent>(payload: E): TriggerResult<E> {
  const nameParts: Partial<Pick<DerivedFields, NamePartKey>> = {};
  const from: PersonNameField | null = NAME_FIELD_OF[payload.event] ?? null;
  if (from) {
    const { first, last } = namePartKeys(from);
    [nameParts[first], nameParts[last]] = splitName(Reflect.get(payload, from));
  }
  return { id: occurrenceId(payload), ...payload, ...nameParts };
}
