/** GET /me: the workspace of the key; Zapier's connection test. */
import { defineEndpoint } from '../endpoint';

export default defineEndpoint({
  method: 'GET',
  url: '/me',
  responses: { 200: 'responses/me' },
  handle: ({ workspace }) => ({
    status: 200,
    body: {
      ok: true,
      workspace_id: workspace.id,
      team_name: workspace.team_name,
      owner_email: workspace.owner_email,
    },
  }),
});
