/**
 * The Zapier app definition. It only assembles: authentication, middleware, triggers and
 * creates each live in their own module.
 */
import { defineApp, version as platformVersion } from 'zapier-platform-core';
import authentication from './authentication';
import addTagToContact from './creates/add-tag-to-contact';
import createContact from './creates/create-contact';
import sendMessage from './creates/send-message';
import { addApiKey, handleErrors } from './middleware';
import contactCreated from './triggers/contact-created';
import conversationCreated from './triggers/conversation-created';
import conversationResolved from './triggers/conversation-resolved';
import contactList from './triggers/dropdowns/contact-list';
import conversationList from './triggers/dropdowns/conversation-list';
import tagAdded from './triggers/tag-added';
import { APP_VERSION } from './version';

export default defineApp({
  version: APP_VERSION,
  platformVersion,
  authentication,
  beforeRequest: [addApiKey],
  afterResponse: [handleErrors],
  triggers: {
    [conversationCreated.key]: conversationCreated,
    [conversationResolved.key]: conversationResolved,
    [contactCreated.key]: contactCreated,
    [tagAdded.key]: tagAdded,
    [contactList.key]: contactList,
    [conversationList.key]: conversationList,
  },
  creates: {
    [createContact.key]: createContact,
    [addTagToContact.key]: addTagToContact,
    [sendMessage.key]: sendMessage,
  },
});
