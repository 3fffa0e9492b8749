/** Add Tag to Contact: POST /contacts/{id}/tags. */
import { defineCreate, type Bundle, type ZObject } from 'zapier-platform-core';
import type { AddTagRequest, TagAddedResponse } from '../../schemas/generated';
import { deduplicationKeyField, stepFields, postCreate, type CreateResult } from './request';
import { asSample } from '../sample';
import { inputText } from '../input';

const KEY = 'add_tag_to_contact';

export const sample: CreateResult<TagAddedResponse> = { id: 'contact_123', tag: 'vip' };

const inputFields = [
  {
    key: 'contact_id',
    label: 'Contact',
    required: true,
    dynamic: 'contact_list.id.name',
    helpText: 'Pick a recent contact, or map a Contact ID from an earlier step.',
  },
  {
    key: 'tag',
    label: 'Tag',
    required: true,
    helpText: 'A tag the contact already has is kept as is.',
  },
  deduplicationKeyField(
    'Adding a tag the contact already has changes nothing, so this step is safe to repeat even without a key.',
  ),
];

const perform = (z: ZObject, bundle: Bundle): Promise<CreateResult<TagAddedResponse>> => {
  const contactId = inputText(bundle.inputData.contact_id);
  const body: AddTagRequest = { tag: inputText(bundle.inputData.tag) };
  return postCreate<TagAddedResponse>(z, bundle, {
    action: KEY,
    path: `/contacts/${encodeURIComponent(contactId)}/tags`,
    body,
    notFound: { noun: 'Contact', id: contactId },
    fields: stepFields(inputFields),
  });
};

export default defineCreate({
  key: KEY,
  noun: 'Tag',
  display: {
    label: 'Add Tag to Contact',
    description: 'Adds a tag to an existing contact.',
  },
  operation: {
    inputFields,
    perform,
    sample: asSample(sample),
    outputFields: [
      { key: 'id', label: 'Contact ID' },
      { key: 'tag', label: 'Tag' },
    ],
  },
});
