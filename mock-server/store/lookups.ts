/** The lookups endpoints share, each through its collection's index. */
import type { Contact, EventName, WebhookEvent } from '../../schemas/generated';
import type { Store } from './store';

/** A workspace's contact by email; emails are unique per workspace, compared case-insensitively. */
export function contactByEmail(
  store: Store,
  workspaceId: string,
  email: string,
): Contact | undefined {
  return store.find('contacts', 'by_email', [workspaceId, email], { limit: 1 })[0];
}

/** The payloads of the newest events of one kind in a workspace, newest first. */
export function recentPayloads(
  store: Store,
  workspaceId: string,
  event: EventName,
  limit: number,
): WebhookEvent[] {
  return store
    .find('events', 'by_kind', [workspaceId, event], { limit, newestFirst: true })
    .map((record) => record.payload);
}
