/** GET /contacts: recent contact.created payloads. */
import { defineEndpoint } from '../endpoint';
import { recentPayloads } from '../../store/lookups';

export default defineEndpoint({
  method: 'GET',
  url: '/contacts',
  query: 'requests/contact-samples-query',
  responses: { 200: 'responses/sample-list' },
  handle: ({ workspace, query, services }) => ({
    status: 200,
    body: {
      ok: true,
      items: recentPayloads(services.store, workspace.id, 'contact.created', query.limit),
    },
  }),
});
