/** New Conversation: a visitor started a conversation. */
import type { ConversationCreatedEvent } from '../../schemas/generated';
import { toTriggerResult } from '../events';
import { COMMON_OUTPUT_FIELDS, hookTrigger, nameOutputFields } from './hook';

export const sample = toTriggerResult<ConversationCreatedEvent>({
  event: 'conversation.created',
  timestamp: '2026-04-08T00:50:00.000Z',
  data__conversation_id: 'conv_abc123',
  data__visitor_email: 'visitor@example.com',
  data__visitor_name: 'Ava Brooks',
  data__page_url: 'https://www.usechatting.com/pricing',
  data__first_message: 'Do you have a free plan?',
  data__assigned_to: 'owner@usechatting.com',
  data: {
    conversation_id: 'conv_abc123',
    visitor_email: 'visitor@example.com',
    visitor_name: 'Ava Brooks',
    page_url: 'https://www.usechatting.com/pricing',
    first_message: 'Do you have a free plan?',
    tags: ['pricing'],
    assigned_to: 'owner@usechatting.com',
  },
});

export default hookTrigger<ConversationCreatedEvent>({
  key: 'conversation_created',
  event: 'conversation.created',
  noun: 'Conversation',
  label: 'New Conversation',
  description: 'Triggers when a visitor starts a new conversation on your website.',
  sample,
  outputFields: [
    ...COMMON_OUTPUT_FIELDS,
    { key: 'data__conversation_id', label: 'Conversation ID' },
    { key: 'data__visitor_email', label: 'Visitor Email' },
    { key: 'data__visitor_name', label: 'Visitor Name' },
    ...nameOutputFields('data__visitor_name', 'Visitor'),
    { key: 'data__page_url', label: 'Page URL' },
    { key: 'data__first_message', label: 'First Message' },
    { key: 'data__assigned_to', label: 'Assigned To' },
    { key: 'data__tags', label: 'Tags', list: true },
  ],
});
