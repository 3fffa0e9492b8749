/** Tag Added to Conversation: an agent tagged a conversation. */
import type { TagAddedEvent } from '../../schemas/generated';
import { toTriggerResult } from '../events';
import { inputText } from '../input';
import { COMMON_OUTPUT_FIELDS, hookTrigger } from './hook';

export const sample = toTriggerResult<TagAddedEvent>({
  event: 'tag.added',
  timestamp: '2026-04-08T02:00:00.000Z',
  data__conversation_id: 'conv_abc123',
  data__tag: 'vip',
  data__added_by: 'owner@usechatting.com',
  data: {
    conversation_id: 'conv_abc123',
    tag: 'vip',
    added_by: 'owner@usechatting.com',
  },
});

export default hookTrigger<TagAddedEvent>({
  key: 'tag_added',
  event: 'tag.added',
  noun: 'Tag',
  label: 'Tag Added to Conversation',
  description: 'Triggers when a tag is added to a conversation.',
  inputFields: [
    {
      key: 'tag',
      label: 'Tag',
      required: false,
      helpText:
        'Only this tag triggers the Zap, such as `vip` (letter case is ignored). Leave empty for every tag.',
    },
  ],
  matches: (payload, inputData) => {
    const wanted = inputText(inputData.tag).toLowerCase();
    // A delivery is only checked for its event and data: its tag may be missing or not text.
    const tag = inputText(payload.data__tag ?? (payload.data as { tag?: unknown }).tag);
    return !wanted || tag.toLowerCase() === wanted;
  },
  sample,
  outputFields: [
    ...COMMON_OUTPUT_FIELDS,
    { key: 'data__conversation_id', label: 'Conversation ID' },
    { key: 'data__tag', label: 'Tag' },
    { key: 'data__added_by', label: 'Added By' },
  ],
});
