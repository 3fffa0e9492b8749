/**
 * Webhook payloads: `event`, `timestamp`, one `data__<field>` per scalar field of `data`, and
 * `data` itself. The same payload is delivered, stored for the sample endpoints and listed by
 * them, so a live event and a sample always agree.
 */
import type {
  Contact,
  ContactCreatedEvent,
  Conversation,
  ConversationCreatedEvent,
  ConversationResolvedEvent,
  EventName,
  TagAddedEvent,
  WebhookEvent,
} from '../../schemas/generated';

type DataOf<E extends WebhookEvent> = E['data'];

export interface EventData {
  'conversation.created': DataOf<ConversationCreatedEvent>;
  'conversation.resolved': DataOf<ConversationResolvedEvent>;
  'contact.created': DataOf<ContactCreatedEvent>;
  'tag.added': DataOf<TagAddedEvent>;
}

export function makePayload<N extends EventName>(
  event: N,
  data: EventData[N],
  timestamp: string,
): WebhookEvent {
  const flat: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (value === null || typeof value !== 'object') flat[`data__${field}`] = value;
  }
  return { event, timestamp, ...flat, data } as WebhookEvent;
}

export function conversationCreatedData(
  conversation: Conversation,
): EventData['conversation.created'] {
  return {
    conversation_id: conversation.id,
    visitor_email: conversation.visitor_email,
    visitor_name: conversation.visitor_name,
    page_url: conversation.page_url,
    first_message: conversation.first_message,
    tags: [...conversation.tags],
    assigned_to: conversation.assigned_to,
  };
}

export function conversationResolvedData(
  conversation: Conversation,
  messageCount: number,
): EventData['conversation.resolved'] {
  const started = Date.parse(conversation.created_at);
  const resolved = Date.parse(conversation.resolved_at ?? conversation.created_at);
  return {
    conversation_id: conversation.id,
    visitor_email: conversation.visitor_email,
    resolved_by: conversation.resolved_by,
    message_count: messageCount,
    duration_seconds: Math.max(0, Math.round((resolved - started) / 1000)),
  };
}

export function contactCreatedData(contact: Contact): EventData['contact.created'] {
  return {
    contact_id: contact.id,
    email: contact.email,
    name: contact.name,
    company: contact.company,
    source: contact.source,
  };
}

export function tagAddedData(
  conversation: Conversation,
  tag: string,
  addedBy: string | null,
): EventData['tag.added'] {
  return { conversation_id: conversation.id, tag, added_by: addedBy };
}
