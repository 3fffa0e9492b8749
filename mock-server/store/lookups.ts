/** The lookups endpoints share, each through its collection's index. */
import type { Contact, EventName, Subscription, WebhookEvent } from '../../schemas/generated';
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

/**
 * A workspace's active subscriptions to an event, one per target URL (the oldest): a subscribe
 * to a target already subscribed answers that subscription, and an event is delivered once per
 * target even where a seed holds two.
 */
export function activeSubscriptions(
  store: Store,
  workspaceId: string,
  event: EventName,
): Subscription[] {
  const byTarget = new Map<string, Subscription>();
  for (const subscription of store.find('subscriptions', 'by_event', [workspaceId, event, true])) {
    if (!byTarget.has(subscription.target_url)) byTarget.set(subscription.target_url, subscription);
  }
  return [...byTarget.values()];
}
