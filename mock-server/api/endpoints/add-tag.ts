/** POST /contacts/{id}/tags: adds a tag to a contact; a tag it already has changes nothing. */
import { defineEndpoint } from '../endpoint';
import { ApiError } from '../../http/errors';
import { now } from '../../domain/clock';
import { storeRecord } from '../../store/collections';

export default defineEndpoint({
  method: 'POST',
  url: '/contacts/:id/tags',
  params: 'requests/id-param',
  body: 'requests/add-tag',
  responses: { 200: 'responses/tag-added' },
  idempotent: true,
  saveFailure: 'contact-save-failed',
  handle: ({ workspace, body, params, services }) => {
    const contact = services.store.get('contacts', params.id);
    if (!contact) throw new ApiError('not-found', `no contact ${params.id}`);
    // A contact on another workspace's site: refused, and nothing of it is disclosed.
    if (contact.workspace_id !== workspace.id) {
      throw new ApiError('contact-site-forbidden', 'the contact is outside this workspace');
    }
    const answer = { ok: true as const, id: contact.id, tag: body.tag };
    if (contact.tags.includes(body.tag)) return { status: 200, body: answer };
    const updated = { ...contact, tags: [...contact.tags, body.tag], updated_at: now() };
    return { status: 200, body: answer, changes: [storeRecord('contacts', updated)] };
  },
});
