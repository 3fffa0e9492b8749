/** API-key authentication, tested with GET /me; the connection is named after the workspace. */
import type { ZObject } from 'zapier-platform-core';
import type { MeResponse } from '../schemas/generated';
import meSchema from '../schemas/responses/me.json';
import { documentedAnswer, isObject } from './answers';
import { callChatting } from './api-call';
import { apiUrl, REFERENCE_URL } from './client';
import type { RequestContext } from './middleware';

/**
 * `{"ok": true}` with the workspace's names, every field schemas/responses/me.json requires: a
 * 200 of any other shape verified no key.
 */
function isMe(body: unknown): body is MeResponse {
  return (
    isObject(body) &&
    body.ok === true &&
    meSchema.required.every((key) => key === 'ok' || typeof body[key] === 'string')
  );
}

export const testAuth = async (z: ZObject): Promise<MeResponse> => {
  const context: RequestContext = { connectionTest: true };
  const response = await callChatting(z, { url: apiUrl('/me'), middlewareData: context });
  return documentedAnswer(z, response, isMe, 'the workspace the key belongs to');
};

/** Rendered by Zapier from the test's answer (bundle.inputData is what GET /me returned). */
export const CONNECTION_LABEL = '{{bundle.inputData.team_name}} ({{bundle.inputData.owner_email}})';

export default {
  type: 'custom' as const,
  fields: [
    {
      key: 'api_key',
      label: 'API Key',
      type: 'password' as const,
      required: true,
      placeholder: 'chatting_live_…',
      // The reference names no page or menu where keys are shown, nor who may create them, so
      // neither is invented here.
      helpText: `Your Chatting API key, which starts with \`chatting_live_\`. You find it in your Chatting account; if you cannot find it, ask whoever manages your Chatting workspace. [What the key gives access to](${REFERENCE_URL}).`,
    },
  ],
  test: testAuth,
  connectionLabel: CONNECTION_LABEL,
};
