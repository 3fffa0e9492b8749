/**
 * Making an event happen as the chat product would (POST /__admin/events): a visitor starts a
 * conversation, an agent resolves or tags one, a contact is created. What `data` gives is used
 * as is (schemas/admin/simulate-event.json has already checked it against the event's payload
 * data); what it leaves out is filled in (a conversation: the id given, else the newest open one,
 * else a new one, which raises conversation.created as the product would).
 */
import type { Conversation, EventName, Workspace } from '../../schemas/generated';
import { payloadSchemaOf, validate } from '../../schemas/validator';
import { ApiError } from '../http/errors';
import { now } from '../domain/clock';
import { newId } from '../domain/record-ids';
import { buildContact, buildConversation, buildMessage } from '../domain/records';
import { storeRecord, type Change } from '../store/collections';
import { contactByEmail } from '../store/lookups';
import type { Store } from '../store/store';
import {
  contactCreatedData,
  conversationCreatedData,
  conversationResolvedData,
  tagAddedData,
  type EventData,
} from '../domain/payloads';
import { raiseEvent } from './raise';

/** What `data` may give for an event: any field of its payload data (the schema's if/then). */
export type GivenData<N extends EventName> = Partial<EventData[N]>;

export interface Simulation {
  payload: ReturnType<typeof raiseEvent>['record']['payload'];
  deliveries: number;
  changes: Change[];
}

/** One simulation's state: the changes so far and the conversations it acts on. */
class Happening {
  readonly timestamp = now();
  readonly changes: Change[] = [];
  last: ReturnType<typeof raiseEvent> | undefined;

  constructor(
    readonly store: Store,
    readonly workspace: Workspace,
  ) {}

  raise<N extends EventName>(event: N, data: EventData[N]): void {
    this.last = raiseEvent(this.store, this.workspace.id, event, data, this.timestamp);
    this.changes.push(...this.last.changes);
  }

  put(change: Change): void {
    this.changes.push(change);
  }

  /** A new conversation from what was given, raising conversation.created. */
  newConversation(given: GivenData<'conversation.created'> = {}): Conversation {
    const { primary_site_id: siteId } = this.workspace;
    const site = siteId ? this.store.get('sites', siteId) : undefined;
    const conversation = buildConversation(
      {
        id: given.conversation_id,
        workspace_id: this.workspace.id,
        // A null given is kept (an anonymous visitor); only what is left out gets a default.
        visitor_email: given.visitor_email,
        visitor_name: given.visitor_name,
        page_url: given.page_url === undefined && site ? `https://${site.domain}/` : given.page_url,
        first_message: given.first_message,
        tags: given.tags,
        assigned_to: given.assigned_to,
      },
      this.timestamp,
    );
    this.put(storeRecord('conversations', conversation));
    // The visitor's first message is the conversation's first message record, as in the seed:
    // a later conversation.resolved counts it.
    if (conversation.first_message) {
      const { id: conversationId, workspace_id: workspaceId } = conversation;
      const message = buildMessage(
        {
          workspace_id: workspaceId,
          conversation_id: conversationId,
          message: conversation.first_message,
          sender: 'visitor',
        },
        this.timestamp,
      );
      this.put(storeRecord('messages', message));
    }
    this.raise('conversation.created', conversationCreatedData(conversation));
    return conversation;
  }

  /** The conversation an agent acts on: the one named, else the newest (open) one, else new. */
  existingConversation(id: string | undefined, openOnly: boolean): Conversation {
    if (id) {
      const named = this.store.get('conversations', id);
      if (!named || named.workspace_id !== this.workspace.id)
        throw new ApiError('not-found', `no conversation ${id}`);
      return named;
    }
    const [newest] = openOnly
      ? this.store.find('conversations', 'by_status', [this.workspace.id, 'open'], {
          limit: 1,
          newestFirst: true,
        })
      : this.store.find('conversations', 'by_workspace', [this.workspace.id], {
          limit: 1,
          newestFirst: true,
        });
    return newest ?? this.newConversation();
  }
}

/** Each event's simulation. */
const SIMULATIONS: { [N in EventName]: (happening: Happening, given: GivenData<N>) => void } = {
  'conversation.created': (happening, given) => {
    if (given.conversation_id && happening.store.get('conversations', given.conversation_id)) {
      throw new ApiError('invalid-request', `conversation ${given.conversation_id} already exists`);
    }
    happening.newConversation(given);
  },
  'conversation.resolved': (happening, given) => {
    const conversation = happening.existingConversation(given.conversation_id, true);
    const resolved: Conversation = {
      ...conversation,
      status: 'resolved',
      resolved_by:
        given.resolved_by === undefined ? happening.workspace.owner_email : given.resolved_by,
      resolved_at: happening.timestamp,
    };
    happening.put(storeRecord('conversations', resolved));
    const messages = happening.store.count('messages', 'by_conversation', [conversation.id]);
    happening.raise('conversation.resolved', {
      ...conversationResolvedData(resolved, messages),
      ...given,
    });
  },
  'tag.added': (happening, given) => {
    const conversation = happening.existingConversation(given.conversation_id, false);
    const tag = given.tag ?? 'vip';
    const tagged = { ...conversation, tags: [...new Set([...conversation.tags, tag])] };
    happening.put(storeRecord('conversations', tagged));
    const addedBy = given.added_by === undefined ? happening.workspace.owner_email : given.added_by;
    happening.raise('tag.added', tagAddedData(tagged, tag, addedBy));
  },
  'contact.created': (happening, given) => {
    const { store, workspace } = happening;
    if (!workspace.primary_site_id) throw new ApiError('workspace-site-missing');
    const email = given.email ?? `visitor.${newId('contact').slice(8)}@example.com`;
    if (contactByEmail(store, workspace.id, email)) {
      throw new ApiError('invalid-request', `a contact with email ${email} already exists`);
    }
    const contact = buildContact(
      {
        id: given.contact_id,
        workspace_id: workspace.id,
        site_id: workspace.primary_site_id,
        email,
        name: given.name,
        company: given.company,
        source: given.source ?? 'chat_form',
      },
      happening.timestamp,
    );
    if (store.get('contacts', contact.id)) {
      throw new ApiError('invalid-request', `contact ${contact.id} already exists`);
    }
    happening.put(storeRecord('contacts', contact));
    happening.raise('contact.created', contactCreatedData(contact));
  },
};

export function simulateEvent<N extends EventName>(
  store: Store,
  workspace: Workspace,
  event: N,
  given: GivenData<N>,
): Simulation {
  const happening = new Happening(store, workspace);
  SIMULATIONS[event](happening, given);
  // The event asked for is the last one raised (a conversation made on the way comes first).
  const raised = happening.last as ReturnType<typeof raiseEvent>;
  const check = validate(payloadSchemaOf(event), raised.record.payload);
  if (!check.valid) throw new ApiError('invalid-request', `data: ${check.message}`);
  return {
    payload: raised.record.payload,
    deliveries: raised.deliveries.length,
    changes: happening.changes,
  };
}
