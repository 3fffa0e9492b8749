/**
 * A stand-in for Zapier's platform API, for zapier-platform's own commands (which honour
 * ZAPIER_BASE_ENDPOINT): it answers what `push`, `upload` and `validate` ask and records what
 * they send, so a test sees the version and the definition that would reach Zapier. On
 * 127.0.0.1, on an ephemeral port; no Zapier account, no network.
 */
import AdmZip from 'adm-zip';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_APP_ID = 4242;
const DEPLOY_KEY = 'fake-deploy-key';

export interface Upload {
  /** The version in the upload's URL: what Zapier files it as. */
  version: string;
  /** build.zip's definition.json. */
  definition: AppDefinition;
  /** build.zip's file names. */
  files: string[];
}

export interface AppDefinition {
  version: string;
  triggers: Record<string, { display: { label: string } }>;
  creates: Record<string, { operation: { inputFields?: { key: string }[] } }>;
}

export interface FakeZapier {
  /** What the CLI needs in its environment to talk to this stand-in. */
  env: NodeJS.ProcessEnv;
  uploads: Upload[];
  /** Definitions sent for Zapier's integration checks (`validate`, `push`). */
  checked: AppDefinition[];
  close(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const NO_FINDINGS = { total_failures: 0, results: [] };

export async function startFakeZapier(): Promise<FakeZapier> {
  const uploads: Upload[] = [];
  const checked: AppDefinition[] = [];
  const server = createServer((request, response) => {
    const reply = (status: number, answer: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer));
    };
    void (async () => {
      if (
        request.headers['x-deploy-key'] !== DEPLOY_KEY &&
        request.url !== '/api/platform/cli/check'
      ) {
        return reply(401, { errors: ['bad deploy key'] });
      }
      const url = request.url ?? '';
      if (request.method === 'GET' && url === `/api/platform/cli/apps/${FAKE_APP_ID}`) {
        return reply(200, {
          id: FAKE_APP_ID,
          title: 'Chatting',
          description: 'Live chat.',
          app_category: 'customer-support',
          intention: 'global',
          role: 'employee',
          status: 'private',
        });
      }
      if (request.method === 'POST' && url === '/api/platform/cli/check') {
        const { app_definition } = await body(request);
        checked.push(app_definition as AppDefinition);
        return reply(200, {
          passes: [],
          errors: NO_FINDINGS,
          warnings: NO_FINDINGS,
          suggestions: NO_FINDINGS,
        });
      }
      const upload = new RegExp(`^/api/platform/cli/apps/${FAKE_APP_ID}/versions/([^/]+)$`).exec(
        url,
      );
      if (request.method === 'PUT' && upload) {
        const { zip_file } = await body(request);
        const zip = new AdmZip(Buffer.from(String(zip_file), 'base64'));
        uploads.push({
          version: decodeURIComponent(upload[1]),
          definition: JSON.parse(zip.readAsText('definition.json')) as AppDefinition,
          files: zip.getEntries().map((entry) => entry.entryName),
        });
        return reply(200, {});
      }
      return reply(404, { errors: [`no fake for ${request.method} ${url}`] });
    })().catch((error: unknown) => reply(500, { errors: [String(error)] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      ZAPIER_BASE_ENDPOINT: `http://127.0.0.1:${port}`,
      ZAPIER_DEPLOY_KEY: DEPLOY_KEY,
      DISABLE_ZAPIER_ANALYTICS: '1',
      NO_UPDATE_NOTIFIER: '1',
    },
    uploads,
    checked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
