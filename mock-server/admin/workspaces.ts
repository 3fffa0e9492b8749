/** Workspaces, sites and API keys: list, create, revoke. */
import type { Site, Workspace } from '../../schemas/generated';
import { now } from '../domain/clock';
import { ApiError } from '../http/errors';
import { makeApiKey } from '../domain/keys';
import { newId } from '../domain/record-ids';
import type { Services } from '../domain/services';
import { storeRecord, type Change, type CollectionName } from '../store/collections';
import type { Filters } from '../store/store';
import { defineAdminRoute, type AdminRoute } from './route';

export function workspaceRoutes({ store }: Services): AdminRoute[] {
  const workspaceOf = (id: string): Workspace => {
    const workspace = store.get('workspaces', id);
    if (!workspace) throw new ApiError('not-found', `no workspace ${id}`);
    return workspace;
  };
  return [
    defineAdminRoute({
      method: 'GET',
      url: '/workspaces',
      query: 'admin/workspace-query',
      responses: { 200: 'admin/workspace-list' },
      handle: ({ query }) => {
        const { items, total } = store.page('workspaces', {}, query);
        // One query per collection counts the whole page, each workspace in an index.
        const ids = items.map((workspace) => workspace.id);
        const per = (collection: CollectionName, filters?: Filters) =>
          store.countsPer(collection, 'workspace_id', ids, filters);
        const contacts = per('contacts');
        const conversations = per('conversations');
        const subscriptions = per('subscriptions', { active: true });
        const deliveries = per('deliveries');
        return {
          status: 200,
          body: {
            ok: true,
            total,
            items: items.map((workspace) => ({
              ...workspace,
              sites: store.find('sites', 'by_workspace', [workspace.id]),
              keys: store
                .find('api_keys', 'by_workspace', [workspace.id])
                .map(({ id, created_at, revoked_at }) => ({ id, created_at, revoked_at })),
              counts: {
                contacts: contacts.get(workspace.id) ?? 0,
                conversations: conversations.get(workspace.id) ?? 0,
                active_subscriptions: subscriptions.get(workspace.id) ?? 0,
                deliveries: deliveries.get(workspace.id) ?? 0,
              },
            })),
          },
        };
      },
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/workspaces',
      body: 'admin/create-workspace',
      responses: { 201: 'admin/workspace-created' },
      handle: ({ body }) => {
        const id = body.id ?? `ws_${newId('site').slice(5)}`;
        if (store.get('workspaces', id))
          throw new ApiError('invalid-request', `workspace ${id} exists`);
        const timestamp = now();
        const site: Site | null = body.primary_site
          ? {
              id: newId('site'),
              workspace_id: id,
              domain: body.domain ?? 'www.example.com',
              created_at: timestamp,
            }
          : null;
        const workspace: Workspace = {
          id,
          team_name: body.team_name,
          owner_email: body.owner_email,
          primary_site_id: site?.id ?? null,
          created_at: timestamp,
        };
        const key = makeApiKey(id, timestamp);
        const changes: Change[] = [
          storeRecord('workspaces', workspace),
          storeRecord('api_keys', key.record),
        ];
        if (site) changes.push(storeRecord('sites', site));
        return { status: 201, body: { ok: true, workspace, api_key: key.token }, changes };
      },
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/workspaces/:id/keys',
      params: 'requests/id-param',
      responses: { 201: 'admin/key-created' },
      handle: ({ params }) => {
        const workspace = workspaceOf(params.id);
        const key = makeApiKey(workspace.id, now());
        return {
          status: 201,
          body: { ok: true, id: key.record.id, workspace_id: workspace.id, api_key: key.token },
          changes: [storeRecord('api_keys', key.record)],
        };
      },
    }),
    defineAdminRoute({
      method: 'DELETE',
      url: '/keys/:id',
      params: 'requests/id-param',
      responses: { 200: 'admin/done' },
      handle: ({ params }) => {
        const key = store.get('api_keys', params.id);
        if (!key) throw new ApiError('not-found', `no API key ${params.id}`);
        const changes: Change[] =
          key.revoked_at === null ? [storeRecord('api_keys', { ...key, revoked_at: now() })] : [];
        return { status: 200, body: { ok: true }, changes };
      },
    }),
    defineAdminRoute({
      method: 'POST',
      url: '/workspaces/:id/sites',
      params: 'requests/id-param',
      body: 'admin/create-site',
      responses: { 201: 'admin/site-created' },
      handle: ({ params, body }) => {
        const workspace = workspaceOf(params.id);
        const site: Site = {
          id: newId('site'),
          workspace_id: workspace.id,
          domain: body.domain,
          created_at: now(),
        };
        const changes: Change[] = [storeRecord('sites', site)];
        if (body.primary) {
          changes.push(storeRecord('workspaces', { ...workspace, primary_site_id: site.id }));
        }
        return { status: 201, body: { ok: true, site }, changes };
      },
    }),
  ];
}
