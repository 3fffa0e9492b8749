/** Every endpoint of the API, one module each. */
import type { Endpoint } from '../endpoint';
import addTag from './add-tag';
import contactSamples from './contact-samples';
import conversationSamples from './conversation-samples';
import createContact from './create-contact';
import me from './me';
import sendMessage from './send-message';
import subscribe from './subscribe';
import unsubscribe from './unsubscribe';

export const ENDPOINTS: Endpoint[] = [
  me,
  subscribe,
  unsubscribe,
  conversationSamples,
  contactSamples,
  createContact,
  addTag,
  sendMessage,
];
