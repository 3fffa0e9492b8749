/** GET /conversations: recent conversation.created / .resolved / tag.added payloads. */
import { defineEndpoint } from '../endpoint';
import { recentPayloads } from '../../store/lookups';

export default defineEndpoint({
  method: 'GET',
  url: '/conversations',
  query: 'requests/conversation-samples-query',
  responses: { 200: 'responses/sample-list' },
  handle: ({ workspace, query, services }) => ({
    status: 200,
    body: {
      ok: true,
      items: recentPayloads(services.store, workspace.id, query.event, query.limit),
    },
  }),
});
