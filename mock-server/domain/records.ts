/**
 * The one place a contact, a conversation and a message are built: the API's endpoints, the
 * event simulator and the seed all build theirs here. What a caller leaves out (or gives as undefined) gets the
 * product's default; the id is a new one unless given.
 */
import type { Contact, Conversation, Message } from '../../schemas/generated';
import { newId } from './record-ids';

export type ContactFields = Pick<Contact, 'workspace_id' | 'site_id' | 'email'> & Partial<Contact>;

export function buildContact(fields: ContactFields, timestamp: string): Contact {
  return {
    id: newId('contact'),
    name: null,
    phone: null,
    company: null,
    status: null,
    tags: [],
    customFields: {},
    source: 'api',
    created_at: timestamp,
    updated_at: timestamp,
    ...defined(fields),
  };
}

export type ConversationFields = Pick<Conversation, 'workspace_id'> & Partial<Conversation>;

export function buildConversation(fields: ConversationFields, timestamp: string): Conversation {
  return {
    id: newId('conv'),
    visitor_email: 'visitor@example.com',
    visitor_name: 'Website Visitor',
    page_url: 'https://www.usechatting.com/',
    first_message: 'Hi! I have a question.',
    tags: [],
    assigned_to: null,
    status: 'open',
    resolved_by: null,
    created_at: timestamp,
    resolved_at: null,
    ...defined(fields),
  };
}

export type MessageFields = Pick<
  Message,
  'workspace_id' | 'conversation_id' | 'message' | 'sender'
> &
  Partial<Message>;

export function buildMessage(fields: MessageFields, timestamp: string): Message {
  return { id: newId('msg'), created_at: timestamp, ...defined(fields) };
}

function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}
