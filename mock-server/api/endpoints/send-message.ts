/** POST /conversations/{id}/messages: adds a message to a conversation of the workspace. */
import { defineEndpoint } from '../endpoint';
import { ApiError } from '../../http/errors';
import { now } from '../../domain/clock';
import { buildMessage } from '../../domain/records';
import { storeRecord } from '../../store/collections';

export default defineEndpoint({
  method: 'POST',
  url: '/conversations/:id/messages',
  params: 'requests/id-param',
  body: 'requests/send-message',
  responses: { 201: 'responses/message-sent' },
  idempotent: true,
  handle: ({ workspace, body, params, services }) => {
    const conversation = services.store.get('conversations', params.id);
    if (!conversation || conversation.workspace_id !== workspace.id) {
      throw new ApiError('not-found', `no conversation ${params.id}`);
    }
    const message = buildMessage(
      {
        workspace_id: workspace.id,
        conversation_id: conversation.id,
        message: body.message,
        sender: body.sender,
      },
      now(),
    );
    return {
      status: 201,
      body: {
        ok: true,
        id: message.id,
        conversation_id: message.conversation_id,
        sender: message.sender,
        created_at: message.created_at,
      },
      changes: [storeRecord('messages', message)],
    };
  },
});
