/** Hidden trigger behind the Conversation dropdowns: recent conversations, newest first. */
import { defineTrigger, type ZObject } from 'zapier-platform-core';
import type { ConversationCreatedEvent } from '../../../schemas/generated';
import { LIST_SIZE, recentPayloads } from '../../recent-events';
import { asSample } from '../../sample';
import { choicesOf, type Choice } from './choices';

export const sample: Choice = {
  id: 'conv_abc123',
  name: 'Ava Brooks: Do you have a free plan?',
};

const LABEL_LENGTH = 60;

function label(item: ConversationCreatedEvent): string {
  const who = item.data__visitor_name || item.data__visitor_email || 'Visitor';
  const said = item.data__first_message ?? '';
  const text = said.length > LABEL_LENGTH ? `${said.slice(0, LABEL_LENGTH - 1)}…` : said;
  return text ? `${who}: ${text}` : who;
}

const perform = async (z: ZObject): Promise<Choice[]> => {
  const items = await recentPayloads<ConversationCreatedEvent>(
    z,
    'conversation.created',
    LIST_SIZE,
  );
  return choicesOf(items, (item) => item.data__conversation_id, label);
};

export default defineTrigger({
  key: 'conversation_list',
  noun: 'Conversation',
  display: {
    label: 'List Recent Conversations',
    description: 'Lists recent conversations for the Conversation dropdowns.',
    hidden: true,
  },
  operation: { perform, sample: asSample(sample) },
});
