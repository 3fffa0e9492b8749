/**
 * The Zapier app definition. It only assembles: authentication, middleware, triggers and
 * creates each live in their own module.
 */
import { version as platformVersion } from 'zapier-platform-core';
import packageJson from '../package.json';

export default {
  version: packageJson.version,
  platformVersion,
  triggers: {},
  creates: {},
};
