/** The lookups endpoints share, each through its collection's index. */
import type { Contact, EventName, Subscription, WebhookEvent } from '../../schemas/generated';
import { targetIdentity } from '../domain/targets';
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
 * A workspace's active subscriptions to an event, one per target (the oldest): a subscribe to a
 * target already subscribed answers that subscription, and an event is delivered once per
 * target even where a seed holds two.
 */
export function activeSubscriptions(
  store: Store,
  workspaceId: string,
  event: EventName,
): Subscription[] {
  return [...activeByTarget(store, workspaceId, event).values()];
}

/** The workspace's active subscription of `targetUrl`, in any equivalent form, to an event. */
export function activeSubscriptionOf(
  store: Store,
  workspaceId: string,
  event: EventName,
  targetUrl: string,
): Subscription | undefined {
  return activeByTarget(store, workspaceId, event).get(targetIdentity(targetUrl));
}

/**
 * The oldest active subscription of each target, by target identity: `https://HOOKS.example:443/x`
 * is the target of `https://hooks.example/x`.
 */
function activeByTarget(
  store: Store,
  workspaceId: string,
  event: EventName,
): Map<string, Subscription> {
  const byTarget = new Map<string, Subscription>();
  for (const subscription of store.find('subscriptions', 'by_event', [workspaceId, event, true])) {
    const target = targetIdentity(subscription.target_url);
    if (!byTarget.has(target)) byTarget.set(target, subscription);
  }
  return byTarget;
}
