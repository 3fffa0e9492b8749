/** The Zapier app as Zapier loads it (the top-level index.js, i.e. the compiled dist/). */
import { createAppTester } from 'zapier-platform-core';
import type AppSource from '../../src/index';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built app, as Zapier loads it
export const App = require('../../index.js') as typeof AppSource;
export const appTester = createAppTester(App);
