/**
 * Seeds: the built-in demo workspaces of the contract, and seed files (the layout of
 * `chatting-mock export`)
 * for QA fixtures. A seed file may give an API key as `{ "token", "workspace_id" }` instead of
 * a stored hash; it is hashed on load.
 */
import { readFileSync } from 'node:fs';
import { assertValid } from '../../schemas/validator';
import type { ApiKey, Contact, EventRecord } from '../../schemas/generated';
import {
  contactCreatedData,
  conversationCreatedData,
  conversationResolvedData,
  makePayload,
  tagAddedData,
  type EventData,
} from '../domain/payloads';
import { makeApiKey } from '../domain/keys';
import { buildContact, buildConversation, buildMessage } from '../domain/records';
import {
  COLLECTION_NAMES,
  ENTITY_SCHEMA,
  emptyCollections,
  fold,
  type Collections,
} from './collections';

/** The demo keys of the contract. They are public demo data, printed by the start-up banner. */
export const DEMO_KEYS = {
  acme: 'chatting_live_demo_acmeacmeacmeacmeacmeacme',
  globex: 'chatting_live_globex_globexglobexglobexglobex',
  nosite: 'chatting_live_nosite_nositenositenositenosite',
  revoked: 'chatting_live_revoked_revokedrevokedrevokedrev',
} as const;

const SEEDED_AT = '2026-04-01T09:00:00.000Z';

interface SeedConversation {
  id: string;
  visitor: [email: string, name: string];
  page_url: string;
  messages: [sender: string, text: string][];
  tags: string[];
  assigned_to: string | null;
  resolved_by?: string;
}

export function demoSeed(): Collections {
  const seed = emptyCollections();
  const at = (minutes: number): string =>
    new Date(Date.parse('2026-04-08T00:00:00.000Z') + minutes * 60_000).toISOString();

  seed.workspaces.push(
    workspace('owner_123', 'Acme Team', 'owner@example.com', 'site_acme'),
    workspace('owner_456', 'Globex', 'ops@globex.example', 'site_globex'),
    workspace('owner_789', 'No Site Co', 'solo@nosite.example', null),
  );
  seed.sites.push(
    {
      id: 'site_acme',
      workspace_id: 'owner_123',
      domain: 'www.acme.example',
      created_at: SEEDED_AT,
    },
    {
      id: 'site_globex',
      workspace_id: 'owner_456',
      domain: 'globex.example',
      created_at: SEEDED_AT,
    },
  );
  const key = (workspaceId: string, token: string): ApiKey =>
    makeApiKey(workspaceId, SEEDED_AT, token).record;
  seed.api_keys.push(
    key('owner_123', DEMO_KEYS.acme),
    key('owner_456', DEMO_KEYS.globex),
    key('owner_789', DEMO_KEYS.nosite),
    { ...key('owner_123', DEMO_KEYS.revoked), revoked_at: '2026-04-02T09:00:00.000Z' },
  );

  let minute = 0;
  const addEvent = <N extends keyof EventData>(
    workspaceId: string,
    name: N,
    data: EventData[N],
  ) => {
    const timestamp = at((minute += 7));
    const record: EventRecord = {
      id: `evt_seed${String(seed.events.length + 1).padStart(4, '0')}`,
      workspace_id: workspaceId,
      event: name,
      payload: makePayload(name, data, timestamp),
      created_at: timestamp,
    };
    seed.events.push(record);
  };
  const addContact = (
    workspaceId: string,
    siteId: string,
    {
      id,
      ...fields
    }: Pick<Contact, 'id' | 'email' | 'name' | 'company' | 'source'> & Partial<Contact>,
  ) => {
    const contact = buildContact(
      { id, workspace_id: workspaceId, site_id: siteId, ...fields },
      at((minute += 3)),
    );
    seed.contacts.push(contact);
    addEvent(workspaceId, 'contact.created', contactCreatedData(contact));
  };
  const addConversation = (workspaceId: string, spec: SeedConversation) => {
    const conversation = buildConversation(
      {
        id: spec.id,
        workspace_id: workspaceId,
        visitor_email: spec.visitor[0],
        visitor_name: spec.visitor[1],
        page_url: spec.page_url,
        first_message: spec.messages[0][1],
        assigned_to: spec.assigned_to,
      },
      at((minute += 5)),
    );
    seed.conversations.push(conversation);
    addEvent(workspaceId, 'conversation.created', conversationCreatedData(conversation));
    spec.messages.forEach(([sender, text], i) => {
      const message = buildMessage(
        {
          id: `msg_${spec.id.slice('conv_'.length)}${i + 1}`,
          workspace_id: workspaceId,
          conversation_id: spec.id,
          message: text,
          sender,
        },
        at((minute += 1)),
      );
      seed.messages.push(message);
    });
    for (const tag of spec.tags) {
      conversation.tags.push(tag);
      addEvent(workspaceId, 'tag.added', tagAddedData(conversation, tag, spec.assigned_to));
    }
    if (spec.resolved_by) {
      Object.assign(conversation, {
        status: 'resolved',
        resolved_by: spec.resolved_by,
        resolved_at: at((minute += 4)),
      });
      addEvent(
        workspaceId,
        'conversation.resolved',
        conversationResolvedData(conversation, spec.messages.length),
      );
    }
  };

  // The reference's request examples name contact_123, conv_123 and wh_123 and create a contact
  // with lead@example.com: the ids exist here, that email does not, so each example answers as
  // documented on a fresh start.
  addContact('owner_123', 'site_acme', {
    id: 'contact_123',
    email: 'ava.brooks@acme.example',
    name: 'Ava Brooks',
    phone: '+1 555 111 2222',
    company: 'Acme',
    status: 'lead',
    tags: ['vip', 'demo'],
    customFields: { crm_owner: 'tina' },
    source: 'api',
  });
  addConversation('owner_123', {
    id: 'conv_123',
    visitor: ['visitor@example.com', 'Ava Brooks'],
    page_url: 'https://www.usechatting.com/pricing',
    messages: [
      ['visitor', 'Do you have a free plan?'],
      ['owner@example.com', 'Yes: up to 100 chats a month, free forever.'],
      ['visitor', 'Great, thanks!'],
    ],
    tags: ['vip'],
    assigned_to: 'owner@example.com',
    resolved_by: 'owner@example.com',
  });
  addContact('owner_123', 'site_acme', {
    id: 'contact_124',
    email: 'visitor@example.com',
    name: 'Noah Park',
    company: 'Initech',
    source: 'chat_form',
  });
  addConversation('owner_123', {
    id: 'conv_124',
    visitor: ['noah@initech.example', 'Noah Park'],
    page_url: 'https://www.acme.example/docs/setup',
    messages: [['visitor', 'How do I install the widget on Shopify?']],
    tags: ['support'],
    assigned_to: null,
  });

  // Inactive, so nothing is ever delivered to the reference's example URL.
  seed.subscriptions.push({
    id: 'wh_123',
    workspace_id: 'owner_123',
    event: 'conversation.created',
    target_url: 'https://hooks.zapier.com/hooks/catch/123/abc',
    active: false,
    created_at: SEEDED_AT,
    deactivated_at: '2026-04-02T09:00:00.000Z',
  });

  addContact('owner_456', 'site_globex', {
    id: 'contact_456',
    email: 'hank@globex.example',
    name: 'Hank Scorpio',
    company: 'Globex',
    source: 'chat_form',
  });
  addConversation('owner_456', {
    id: 'conv_456',
    visitor: ['marge@springfield.example', 'Marge Simpson'],
    page_url: 'https://globex.example/careers',
    messages: [
      ['visitor', 'Are you hiring?'],
      ['ops@globex.example', 'Always. Send us your CV.'],
    ],
    tags: ['hiring'],
    assigned_to: 'ops@globex.example',
    resolved_by: 'ops@globex.example',
  });

  return seed;
}

function workspace(id: string, teamName: string, ownerEmail: string, siteId: string | null) {
  return {
    id,
    team_name: teamName,
    owner_email: ownerEmail,
    primary_site_id: siteId,
    created_at: SEEDED_AT,
  };
}

/** Reads a seed file, hashing keys given as tokens and checking every record. */
export function readSeedFile(file: string): Collections {
  return parseSeed(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** Checks a seed document (the layout of an export), hashing keys given as tokens. */
export function parseSeed(raw: unknown, source: string): Collections {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${source}: a seed is an object of collections`);
  }
  const document = raw as Record<string, unknown>;
  const seed = emptyCollections();
  for (const name of COLLECTION_NAMES) {
    const records = document[name] ?? [];
    if (!Array.isArray(records)) throw new Error(`${source}: ${name} must be an array`);
    for (const [i, entry] of (records as Record<string, unknown>[]).entries()) {
      let record: unknown = entry;
      try {
        if (name === 'api_keys' && typeof entry.token === 'string') {
          record = {
            ...makeApiKey(
              entry.workspace_id as string,
              (entry.created_at as string | undefined) ?? SEEDED_AT,
              entry.token,
            ).record,
            revoked_at: (entry.revoked_at as string | undefined) ?? null,
          };
        }
        assertValid(ENTITY_SCHEMA[name], record);
      } catch (error) {
        throw new Error(`${source}: ${name}[${i}]: ${(error as Error).message}`, { cause: error });
      }
      (seed[name] as unknown[]).push(record);
    }
  }
  assertUnique(seed, source);
  return seed;
}

/**
 * What no record can say of itself: an id is its collection's once (the store would keep the
 * last record of an id, silently), and an email is a workspace's once, in any case (CONTRACT.md;
 * an upsert would then find one contact of two).
 */
function assertUnique(seed: Collections, source: string): void {
  for (const name of COLLECTION_NAMES) {
    const records = seed[name] as readonly { id: string }[];
    assertNoRepeat(
      records,
      (record) => record.id,
      (i, earlier) =>
        `${source}: ${name}[${i}] has the id of ${name}[${earlier}], "${records[i].id}"`,
    );
  }
  const contacts = seed.contacts;
  assertNoRepeat(
    contacts,
    (contact) => `${contact.workspace_id}\0${fold(contact.email)}`,
    (i, earlier) =>
      `${source}: contacts[${i}] has the email of contacts[${earlier}] in workspace ` +
      `${contacts[i].workspace_id}, "${contacts[i].email}" (emails are unique per workspace: one mailbox, however it is written)`,
  );
}

/** Throws `refusal(i, earlier)` for the first record whose key an earlier one has. */
function assertNoRepeat<T>(
  records: readonly T[],
  keyOf: (record: T) => string,
  refusal: (i: number, earlier: number) => string,
): void {
  const first = new Map<string, number>();
  records.forEach((record, i) => {
    const key = keyOf(record);
    const earlier = first.get(key);
    if (earlier !== undefined) throw new Error(refusal(i, earlier));
    first.set(key, i);
  });
}
