/**
 * Making an event happen as the chat product would (POST /__admin/events): a visitor starts a
 * conversation, an agent resolves or tags one, a contact is created. What `data` gives is used
 * as is; what it leaves out is filled in (a conversation: the id given, else the newest open one,
 * else a new one, which raises conversation.created as the product would).
 */
import type { Conversation, EventName, Workspace } from '../../schemas/generated';
import { payloadSchemaOf, schemaJson, validate } from '../../schemas/validator';
import { ApiError } from '../errors';
import { now } from '../clock';
import { newId } from '../record-ids';
import { buildContact, buildConversation } from '../records';
import type { Change } from '../store/collections';
import { contactByEmail } from '../store/lookups';
import type { Store } from '../store/store';
import {
  contactCreatedData,
  conversationCreatedData,
  conversationResolvedData,
  tagAddedData,
} from '../payloads';
import { raiseEvent } from './raise';

type Data = Record<string, unknown>;

export interface Simulation {
  payload: ReturnType<typeof raiseEvent>['record']['payload'];
  deliveries: number;
  changes: Change[];
}

/** Refuses fields the event's data does not have, before anything is built from them. */
function checkFields(event: EventName, data: Data): void {
  const definition = (schemaJson(payloadSchemaOf(event)).$defs as Record<string, Data>).data;
  const known = Object.keys(definition.properties as Data);
  const unknown = Object.keys(data).filter((field) => !known.includes(field));
  if (unknown.length > 0) {
    throw new ApiError('invalid-request', `${event} has no data field ${unknown.join(', ')}`);
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function simulateEvent(
  store: Store,
  workspace: Workspace,
  event: EventName,
  data: Data,
): Simulation {
  checkFields(event, data);
  const timestamp = now();
  const changes: Change[] = [];
  let last: ReturnType<typeof raiseEvent> | undefined;
  const raise: typeof raiseEvent = (...args) => {
    last = raiseEvent(...args);
    changes.push(...last.changes);
    return last;
  };

  const newConversation = (): Conversation => {
    const site = workspace.primary_site_id
      ? store.get('sites', workspace.primary_site_id)
      : undefined;
    const conversation = buildConversation(
      {
        id: text(data.conversation_id),
        workspace_id: workspace.id,
        visitor_email: (data.visitor_email as string | null | undefined) ?? undefined,
        visitor_name: (data.visitor_name as string | null | undefined) ?? undefined,
        page_url:
          (data.page_url as string | null | undefined) ??
          (site ? `https://${site.domain}/` : undefined),
        first_message: (data.first_message as string | null | undefined) ?? undefined,
        tags: data.tags as string[] | undefined,
        assigned_to: data.assigned_to as string | null | undefined,
      },
      timestamp,
    );
    changes.push({ op: 'put', c: 'conversations', r: conversation });
    raise(
      store,
      workspace.id,
      'conversation.created',
      conversationCreatedData(conversation),
      timestamp,
    );
    return conversation;
  };

  /** The conversation an agent acts on: the one named, else the newest (open) one, else new. */
  const existingConversation = (openOnly: boolean): Conversation => {
    const id = text(data.conversation_id);
    if (id) {
      const named = store.get('conversations', id);
      if (!named || named.workspace_id !== workspace.id)
        throw new ApiError('not-found', `no conversation ${id}`);
      return named;
    }
    const newest = openOnly
      ? store.find('conversations', 'by_status', [workspace.id, 'open'], {
          limit: 1,
          newestFirst: true,
        })
      : store.find('conversations', 'by_workspace', [workspace.id], {
          limit: 1,
          newestFirst: true,
        });
    return newest[0] ?? newConversation();
  };

  switch (event) {
    case 'conversation.created': {
      if (
        text(data.conversation_id) &&
        store.get('conversations', text(data.conversation_id) as string)
      ) {
        throw new ApiError(
          'invalid-request',
          `conversation ${String(data.conversation_id)} already exists`,
        );
      }
      newConversation();
      break;
    }
    case 'conversation.resolved': {
      const conversation = existingConversation(true);
      const resolved: Conversation = {
        ...conversation,
        status: 'resolved',
        resolved_by: (data.resolved_by as string | null | undefined) ?? workspace.owner_email,
        resolved_at: timestamp,
      };
      changes.push({ op: 'put', c: 'conversations', r: resolved });
      const messages = store.count('messages', 'by_conversation', [conversation.id]);
      const derived = conversationResolvedData(resolved, messages);
      raise(
        store,
        workspace.id,
        'conversation.resolved',
        { ...derived, ...(data as object) },
        timestamp,
      );
      break;
    }
    case 'tag.added': {
      const conversation = existingConversation(false);
      const tag = text(data.tag) ?? 'vip';
      const tagged = { ...conversation, tags: [...new Set([...conversation.tags, tag])] };
      changes.push({ op: 'put', c: 'conversations', r: tagged });
      const addedBy =
        data.added_by === undefined ? workspace.owner_email : (data.added_by as string | null);
      raise(store, workspace.id, 'tag.added', tagAddedData(tagged, tag, addedBy), timestamp);
      break;
    }
    case 'contact.created': {
      if (!workspace.primary_site_id) throw new ApiError('workspace-site-missing');
      const email = text(data.email) ?? `visitor.${newId('contact').slice(8)}@example.com`;
      if (contactByEmail(store, workspace.id, email)) {
        throw new ApiError('invalid-request', `a contact with email ${email} already exists`);
      }
      const contact = buildContact(
        {
          id: text(data.contact_id),
          workspace_id: workspace.id,
          site_id: workspace.primary_site_id,
          email,
          name: data.name as string | null | undefined,
          company: data.company as string | null | undefined,
          source: text(data.source) ?? 'chat_form',
        },
        timestamp,
      );
      if (store.get('contacts', contact.id)) {
        throw new ApiError('invalid-request', `contact ${contact.id} already exists`);
      }
      changes.push({ op: 'put', c: 'contacts', r: contact });
      raise(store, workspace.id, 'contact.created', contactCreatedData(contact), timestamp);
      break;
    }
  }

  // The event asked for is the last one raised (a conversation made on the way comes first).
  const raised = last as ReturnType<typeof raiseEvent>;
  const check = validate(payloadSchemaOf(event), raised.record.payload);
  if (!check.valid) throw new ApiError('invalid-request', `data: ${check.message}`);
  return { payload: raised.record.payload, deliveries: raised.deliveries.length, changes };
}
