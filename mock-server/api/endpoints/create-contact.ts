/**
 * POST /contacts: creates a contact, or updates the workspace's contact with the same email
 * (compared case-insensitively): given scalars replace, tags are added, customFields merge.
 * Only a real creation answers 201 and raises contact.created.
 */
import type { Contact, CreateContactRequest } from '../../../schemas/generated';
import type { Answer } from '../../http/routing';
import { defineEndpoint } from '../endpoint';
import { contactByEmail } from '../../store/lookups';
import { ApiError } from '../../http/errors';
import { contactCreatedData } from '../../domain/payloads';
import { raiseEvent } from '../../events/raise';
import { now } from '../../domain/clock';
import { buildContact } from '../../domain/records';
import { storeRecord } from '../../store/collections';

export default defineEndpoint({
  method: 'POST',
  url: '/contacts',
  body: 'requests/create-contact',
  responses: { 200: 'responses/contact-saved', 201: 'responses/contact-saved' },
  idempotent: true,
  saveFailure: 'contact-save-failed',
  handle: ({ workspace, body, services }) => {
    if (!workspace.primary_site_id) {
      throw new ApiError(
        'workspace-site-missing',
        'the workspace has no primary site for contacts',
      );
    }
    const timestamp = now();
    const existing = contactByEmail(services.store, workspace.id, body.email);
    if (existing) {
      const updated: Contact = {
        ...existing,
        ...pickScalars(body),
        tags: [...new Set([...existing.tags, ...(body.tags ?? [])])],
        customFields: { ...existing.customFields, ...body.customFields },
        updated_at: timestamp,
      };
      return answer(200, updated, [storeRecord('contacts', updated)]);
    }
    const contact = buildContact(
      {
        workspace_id: workspace.id,
        site_id: workspace.primary_site_id,
        email: body.email,
        ...pickScalars(body),
        tags: [...new Set(body.tags ?? [])],
        customFields: { ...body.customFields },
        source: 'api',
      },
      timestamp,
    );
    const event = raiseEvent(
      services.store,
      workspace.id,
      'contact.created',
      contactCreatedData(contact),
      timestamp,
    );
    return answer(201, contact, [storeRecord('contacts', contact), ...event.changes]);
  },
});

function pickScalars(body: CreateContactRequest): Partial<Contact> {
  const scalars: Partial<Contact> = {};
  for (const field of ['name', 'phone', 'company', 'status'] as const) {
    if (body[field] !== undefined) scalars[field] = body[field];
  }
  return scalars;
}

function answer(status: 200 | 201, contact: Contact, changes: Answer['changes']): Answer {
  return {
    status,
    body: {
      ok: true,
      id: contact.id,
      email: contact.email,
      name: contact.name,
      created_at: contact.created_at,
    },
    changes,
  };
}
