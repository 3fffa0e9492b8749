/** Workspaces, sites and API keys: list, create, revoke. */
import type { CreateSiteRequest } from '../../schemas/generated/admin/create-site';
import type { CreateWorkspaceRequest } from '../../schemas/generated/admin/create-workspace';
import type { Site, Workspace } from '../../schemas/generated';
import { ApiError } from '../errors';
import { newId, now } from '../ids';
import { makeApiKey } from '../keys';
import type { Services } from '../services';
import type { Change } from '../store/collections';
import type { AdminRoute } from './route';

export function workspaceRoutes({ store }: Services): AdminRoute[] {
  const workspaceOf = (id: string): Workspace => {
    const workspace = store.get('workspaces', id);
    if (!workspace) throw new ApiError('not-found', `no workspace ${id}`);
    return workspace;
  };
  return [
    {
      method: 'GET',
      url: '/workspaces',
      response: 'admin/workspace-list',
      handler: async () => ({
        ok: true,
        items: store.all('workspaces').map((workspace) => ({
          ...workspace,
          sites: store.all('sites').filter((site) => site.workspace_id === workspace.id),
          keys: store
            .all('api_keys')
            .filter((key) => key.workspace_id === workspace.id)
            .map(({ id, created_at, revoked_at }) => ({ id, created_at, revoked_at })),
        })),
      }),
    },
    {
      method: 'POST',
      url: '/workspaces',
      body: 'admin/create-workspace',
      response: 'admin/workspace-created',
      handler: async (request, reply) => {
        const body = request.body as CreateWorkspaceRequest;
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
          { op: 'put', c: 'workspaces', r: workspace },
          { op: 'put', c: 'api_keys', r: key.record },
        ];
        if (site) changes.push({ op: 'put', c: 'sites', r: site });
        await store.commit(changes);
        return reply.code(201).send({ ok: true, workspace, api_key: key.token });
      },
    },
    {
      method: 'POST',
      url: '/workspaces/:id/keys',
      response: 'admin/key-created',
      handler: async (request, reply) => {
        const workspace = workspaceOf((request.params as { id: string }).id);
        const key = makeApiKey(workspace.id, now());
        await store.commit([{ op: 'put', c: 'api_keys', r: key.record }]);
        return reply
          .code(201)
          .send({ ok: true, id: key.record.id, workspace_id: workspace.id, api_key: key.token });
      },
    },
    {
      method: 'DELETE',
      url: '/keys/:id',
      response: 'admin/done',
      handler: async (request) => {
        const id = (request.params as { id: string }).id;
        const key = store.get('api_keys', id);
        if (!key) throw new ApiError('not-found', `no API key ${id}`);
        if (key.revoked_at === null) {
          await store.commit([{ op: 'put', c: 'api_keys', r: { ...key, revoked_at: now() } }]);
        }
        return { ok: true };
      },
    },
    {
      method: 'POST',
      url: '/workspaces/:id/sites',
      body: 'admin/create-site',
      response: 'admin/site-created',
      handler: async (request, reply) => {
        const workspace = workspaceOf((request.params as { id: string }).id);
        const body = request.body as CreateSiteRequest;
        const site: Site = {
          id: newId('site'),
          workspace_id: workspace.id,
          domain: body.domain,
          created_at: now(),
        };
        const changes: Change[] = [{ op: 'put', c: 'sites', r: site }];
        if (body.primary) {
          changes.push({
            op: 'put',
            c: 'workspaces',
            r: { ...workspace, primary_site_id: site.id },
          });
        }
        await store.commit(changes);
        return reply.code(201).send({ ok: true, site });
      },
    },
  ];
}
