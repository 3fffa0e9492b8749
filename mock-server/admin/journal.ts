/** GET /__admin/journal: the last requests, newest first. */
import type { JournalQuery } from '../../schemas/generated/admin/journal-query';
import type { Services } from '../services';
import type { AdminRoute } from './route';

export function journalRoutes({ requests }: Services): AdminRoute[] {
  return [
    {
      method: 'GET',
      url: '/journal',
      query: 'admin/journal-query',
      response: 'admin/journal-list',
      handler: async (request) => ({
        ok: true,
        items: requests.latest((request.query as Required<JournalQuery>).limit),
      }),
    },
  ];
}
