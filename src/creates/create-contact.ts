/**
 * Create Contact: POST /contacts. The reference documents a creation (201); what an existing
 * email does is the contract's decision (the contact is updated and returned, 200), to be
 * confirmed against production before publishing (README, publishing checklist).
 */
import { defineCreate, type Bundle, type ZObject } from 'zapier-platform-core';
import type {
  ContactSavedResponse,
  CreateContactRequest,
  DerivedFields,
} from '../../schemas/generated';
import { inputList, inputText } from '../input';
import { deduplicationKeyField, stepFields, sendCreate, type CreateResult } from './request';
import { asSample } from '../sample';

const KEY = 'create_contact';

/** The step's output: Chatting's answer, and whether the contact was created or updated. */
export type CreateContactResult = CreateResult<ContactSavedResponse> &
  Required<Pick<DerivedFields, 'result'>>;

export const sample: CreateContactResult = {
  id: 'contact_123',
  email: 'lead@example.com',
  name: 'Ava Brooks',
  created_at: '2026-04-09T00:00:00.000Z',
  result: 'created',
};

const text = (value: unknown): string | undefined => inputText(value) || undefined;

/** The request body from the step's fields; empty fields are left out, not sent blank. */
export function contactBody(inputData: Record<string, unknown>): CreateContactRequest {
  const body: CreateContactRequest = { email: text(inputData.email) ?? '' };
  for (const field of ['name', 'phone', 'company', 'status'] as const) {
    const value = text(inputData[field]);
    if (value) body[field] = value;
  }
  const tags = inputList(inputData.tags);
  if (tags.length > 0) body.tags = [...new Set(tags)];
  // A blank value would wipe what Chatting has for that field (it merges key by key).
  const custom = Object.entries(
    inputData.customFields && typeof inputData.customFields === 'object'
      ? inputData.customFields
      : {},
  )
    .map(([key, value]) => [key.trim(), text(value)] as const)
    .filter(
      (entry): entry is readonly [string, string] => entry[0] !== '' && entry[1] !== undefined,
    );
  if (custom.length > 0) body.customFields = Object.fromEntries(custom);
  return body;
}

const inputFields = [
  {
    key: 'email',
    label: 'Email',
    required: true,
    helpText:
      "The contact's email address. By the Chatting API's contract, an email your workspace already has makes no second contact: that contact gets the fields given here, and its ID is returned. The output's **Created or Updated** field says which happened.",
  },
  { key: 'name', label: 'Name', required: false, helpText: 'Full name, such as Ava Brooks.' },
  {
    key: 'phone',
    label: 'Phone',
    required: false,
    helpText: 'In any format, such as +1 555 111 2222.',
  },
  {
    key: 'company',
    label: 'Company',
    required: false,
    helpText: 'The company the contact works for, such as Acme.',
  },
  {
    key: 'status',
    label: 'Status',
    required: false,
    helpText: 'A lifecycle stage of your own, such as lead or customer.',
  },
  {
    key: 'tags',
    label: 'Tags',
    required: false,
    list: true,
    helpText:
      'Added to the tags the contact already has. One tag per item; text with commas is split into several tags (`vip, demo` adds `vip` and `demo`).',
  },
  {
    key: 'customFields',
    label: 'Custom Fields',
    required: false,
    dict: true,
    helpText: 'Extra attributes by name, such as crm_owner. Merged with the ones already stored.',
  },
  deduplicationKeyField(),
];

const perform = async (z: ZObject, bundle: Bundle): Promise<CreateContactResult> => {
  const { record, status } = await sendCreate<ContactSavedResponse>(z, bundle, {
    action: KEY,
    path: '/contacts',
    body: contactBody(bundle.inputData),
    fields: stepFields(inputFields),
  });
  // Chatting answers 201 for a new contact and 200 for one the workspace already had.
  return { ...record, result: status === 201 ? 'created' : 'updated' };
};

export default defineCreate({
  key: KEY,
  noun: 'Contact',
  display: {
    label: 'Create Contact',
    description: 'Creates a contact from an email address and optional details.',
  },
  operation: {
    inputFields,
    perform,
    sample: asSample(sample),
    outputFields: [
      { key: 'id', label: 'Contact ID' },
      { key: 'email', label: 'Email' },
      { key: 'name', label: 'Name' },
      { key: 'created_at', label: 'Created At', type: 'datetime' },
      { key: 'result', label: 'Created or Updated' },
    ],
  },
});
