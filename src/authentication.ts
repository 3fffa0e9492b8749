/** API-key authentication, tested with GET /me; the connection is named after the workspace. */
import type { Bundle, ZObject } from 'zapier-platform-core';
import type { MeResponse } from '../schemas/generated';
import { apiUrl, REFERENCE_URL } from './client';

export const testAuth = async (z: ZObject): Promise<MeResponse> => {
  const response = await z.request<MeResponse>({ url: apiUrl('/me') });
  return response.data;
};

export const connectionLabel = (_z: ZObject, bundle: Bundle): Promise<string> => {
  const me = bundle.inputData as Partial<MeResponse>;
  return Promise.resolve(`${me.team_name ?? 'Chatting'} (${me.owner_email ?? 'unknown owner'})`);
};

export default {
  type: 'custom' as const,
  fields: [
    {
      key: 'api_key',
      label: 'API Key',
      type: 'password' as const,
      required: true,
      helpText: `Find it in Chatting under Settings → Integrations → Zapier; it starts with \`chatting_live_\`. [How API keys work](${REFERENCE_URL}).`,
    },
  ],
  test: testAuth,
  connectionLabel,
};
