/** Send Message: POST /conversations/{id}/messages. */
import { defineCreate, type Bundle, type ZObject } from 'zapier-platform-core';
import type { MessageSentResponse, SendMessageRequest } from '../../schemas/generated';
import { deduplicationKeyField, stepFields, postCreate, type CreateResult } from './request';
import { asSample } from '../sample';
import { inputProse, inputText } from '../input';

const KEY = 'send_message';

export const sample: CreateResult<MessageSentResponse> = {
  id: 'msg_123',
  conversation_id: 'conv_123',
  sender: 'system',
  created_at: '2026-04-09T00:00:00.000Z',
};

const inputFields = [
  {
    key: 'conversation_id',
    label: 'Conversation',
    required: true,
    dynamic: 'conversation_list.id.name',
    helpText: 'Pick a recent conversation, or map a Conversation ID from an earlier step.',
  },
  {
    key: 'message',
    label: 'Message',
    required: true,
    type: 'text' as const,
    helpText: 'The text to post in the conversation.',
  },
  {
    key: 'sender',
    label: 'Sender',
    required: false,
    helpText: 'Who the message is shown as coming from. Leave empty for `system`.',
  },
  deduplicationKeyField(),
];

const perform = (z: ZObject, bundle: Bundle): Promise<CreateResult<MessageSentResponse>> => {
  const conversationId = inputText(bundle.inputData.conversation_id);
  const body: SendMessageRequest = { message: inputProse(bundle.inputData.message) };
  const sender = inputText(bundle.inputData.sender);
  if (sender) body.sender = sender;
  return postCreate<MessageSentResponse>(z, bundle, {
    action: KEY,
    path: `/conversations/${encodeURIComponent(conversationId)}/messages`,
    body,
    notFound: { noun: 'Conversation', id: conversationId },
    fields: stepFields(inputFields),
  });
};

export default defineCreate({
  key: KEY,
  noun: 'Message',
  display: {
    label: 'Send Message',
    description: 'Sends a message to an existing conversation.',
  },
  operation: {
    inputFields,
    perform,
    sample: asSample(sample),
    outputFields: [
      { key: 'id', label: 'Message ID' },
      { key: 'conversation_id', label: 'Conversation ID' },
      { key: 'sender', label: 'Sender' },
      { key: 'created_at', label: 'Sent At', type: 'datetime' },
    ],
  },
});
