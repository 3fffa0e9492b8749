/** Hidden trigger behind the Contact dropdowns: recent contacts, from the contact sample endpoint. */
import { defineTrigger, type ZObject } from 'zapier-platform-core';
import type { ContactCreatedEvent } from '../../../schemas/generated';
import { LIST_SIZE, recentPayloads } from '../../recent-events';
import { asSample } from '../../sample';

export interface ContactChoice {
  id: string;
  name: string;
}

export const sample: ContactChoice = { id: 'contact_123', name: 'Ava Brooks (lead@example.com)' };

const perform = async (z: ZObject): Promise<ContactChoice[]> => {
  const items = await recentPayloads<ContactCreatedEvent>(z, 'contact.created', LIST_SIZE);
  const choices = new Map<string, ContactChoice>();
  for (const item of items) {
    const name = item.data__name ? `${item.data__name} (${item.data__email})` : item.data__email;
    if (!choices.has(item.data__contact_id))
      choices.set(item.data__contact_id, { id: item.data__contact_id, name });
  }
  return [...choices.values()];
};

export default defineTrigger({
  key: 'contact_list',
  noun: 'Contact',
  display: {
    label: 'List Recent Contacts',
    description: 'Lists recent contacts for the Contact dropdowns.',
    hidden: true,
  },
  operation: { perform, sample: asSample(sample) },
});
