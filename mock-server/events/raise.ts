/**
 * Raising an event: the changes that record it (for the sample endpoints) and queue one
 * delivery per target URL actively subscribed to its kind in its workspace (the outbox). They are committed
 * in the same transaction as the change that caused the event; the deliverer picks the
 * deliveries up once that transaction is durable.
 */
import type { Delivery, EventName, EventRecord } from '../../schemas/generated';
import { newId } from '../domain/record-ids';
import { storeRecord, type Change } from '../store/collections';
import type { Store } from '../store/store';
import { activeSubscriptions } from '../store/lookups';
import { makePayload, type EventData } from '../domain/payloads';

export function raiseEvent<N extends EventName>(
  store: Store,
  workspaceId: string,
  event: N,
  data: EventData[N],
  timestamp: string,
): { record: EventRecord; deliveries: Delivery[]; changes: Change[] } {
  const record: EventRecord = {
    id: newId('evt'),
    workspace_id: workspaceId,
    event,
    payload: makePayload(event, data, timestamp),
    created_at: timestamp,
  };
  const deliveries = activeSubscriptions(store, workspaceId, event).map((subscription) =>
    newDelivery(record, subscription.id, subscription.target_url, timestamp),
  );
  return {
    record,
    deliveries,
    changes: [
      storeRecord('events', record),
      ...deliveries.map((delivery): Change => storeRecord('deliveries', delivery)),
    ],
  };
}

export function newDelivery(
  event: EventRecord,
  subscriptionId: string,
  targetUrl: string,
  timestamp: string,
  redeliveryOf: string | null = null,
): Delivery {
  return {
    id: newId('dlv'),
    workspace_id: event.workspace_id,
    subscription_id: subscriptionId,
    event_id: event.id,
    event: event.event,
    target_url: targetUrl,
    payload: event.payload,
    status: 'pending',
    attempts: 0,
    last_status_code: null,
    last_error: null,
    next_attempt_at: timestamp,
    history: [],
    created_at: timestamp,
    completed_at: null,
    redelivery_of: redeliveryOf,
  };
}
