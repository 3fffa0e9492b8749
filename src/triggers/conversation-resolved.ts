/** Conversation Resolved: an agent closed a conversation. */
import type { ConversationResolvedEvent } from '../../schemas/generated';
import { toTriggerResult } from '../events';
import { COMMON_OUTPUT_FIELDS, hookTrigger } from './hook';

export const sample = toTriggerResult<ConversationResolvedEvent>({
  event: 'conversation.resolved',
  timestamp: '2026-04-08T00:50:00.000Z',
  data__conversation_id: 'conv_abc123',
  data__visitor_email: 'visitor@example.com',
  data__resolved_by: 'owner@usechatting.com',
  data__message_count: 8,
  data__duration_seconds: 420,
  data: {
    conversation_id: 'conv_abc123',
    visitor_email: 'visitor@example.com',
    resolved_by: 'owner@usechatting.com',
    message_count: 8,
    duration_seconds: 420,
  },
});

export default hookTrigger<ConversationResolvedEvent>({
  key: 'conversation_resolved',
  event: 'conversation.resolved',
  noun: 'Conversation',
  label: 'Conversation Resolved',
  description: 'Triggers when a conversation is marked as resolved.',
  sample,
  outputFields: [
    ...COMMON_OUTPUT_FIELDS,
    { key: 'data__conversation_id', label: 'Conversation ID' },
    { key: 'data__visitor_email', label: 'Visitor Email' },
    { key: 'data__resolved_by', label: 'Resolved By' },
    { key: 'data__message_count', label: 'Message Count', type: 'integer' },
    { key: 'data__duration_seconds', label: 'Duration (Seconds)', type: 'integer' },
  ],
});
