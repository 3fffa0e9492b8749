/** New Contact: a contact was added to the workspace. */
import type { ContactCreatedEvent } from '../../schemas/generated';
import { toTriggerResult } from '../events';
import { COMMON_OUTPUT_FIELDS, hookTrigger, nameOutputFields } from './hook';

export const sample = toTriggerResult<ContactCreatedEvent>({
  event: 'contact.created',
  timestamp: '2026-04-08T01:30:00.000Z',
  data__contact_id: 'cnt_abc123',
  data__email: 'visitor@example.com',
  data__name: 'Ava Brooks',
  data__company: 'Acme Corp',
  data__source: 'chat_form',
  data: {
    contact_id: 'cnt_abc123',
    email: 'visitor@example.com',
    name: 'Ava Brooks',
    company: 'Acme Corp',
    source: 'chat_form',
  },
});

export default hookTrigger<ContactCreatedEvent>({
  key: 'contact_created',
  event: 'contact.created',
  noun: 'Contact',
  label: 'New Contact',
  description: 'Triggers when a new contact is added to your workspace.',
  sample,
  outputFields: [
    ...COMMON_OUTPUT_FIELDS,
    { key: 'data__contact_id', label: 'Contact ID' },
    { key: 'data__email', label: 'Email' },
    { key: 'data__name', label: 'Name' },
    ...nameOutputFields('data__name', ''),
    { key: 'data__company', label: 'Company' },
    { key: 'data__source', label: 'Source' },
  ],
});
