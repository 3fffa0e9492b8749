/**
 * Raising an event: the changes that record it (for the sample endpoints). Everything that makes
 * an event happen — an API request or the admin API — goes through here, in the same transaction
 * as the change that caused it.
 */
import type { EventName, EventRecord } from '../../schemas/generated';
import { newId } from '../ids';
import type { Change } from '../store/collections';
import { makePayload, type EventData } from './payload';

export function raiseEvent<N extends EventName>(
  workspaceId: string,
  event: N,
  data: EventData[N],
  timestamp: string,
): { record: EventRecord; changes: Change[] } {
  const record: EventRecord = {
    id: newId('evt'),
    workspace_id: workspaceId,
    event,
    payload: makePayload(event, data, timestamp),
    created_at: timestamp,
  };
  return { record, changes: [{ op: 'put', c: 'events', r: record }] };
}
