/** Hidden trigger behind the Contact dropdowns: recent contacts, from the contact sample endpoint. */
import { defineTrigger, type ZObject } from 'zapier-platform-core';
import type { ContactCreatedEvent } from '../../../schemas/generated';
import { LIST_SIZE, recentPayloads } from '../../recent-events';
import { asSample } from '../../sample';
import { choicesOf, type Choice } from './choices';

export const sample: Choice = { id: 'contact_123', name: 'Ava Brooks (lead@example.com)' };

const perform = async (z: ZObject): Promise<Choice[]> => {
  const items = await recentPayloads<ContactCreatedEvent>(z, 'contact.created', LIST_SIZE);
  return choicesOf(
    items,
    (item) => item.data__contact_id,
    (item) => (item.data__name ? `${item.data__name} (${item.data__email})` : item.data__email),
  );
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
