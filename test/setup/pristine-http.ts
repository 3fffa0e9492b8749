/**
 * Runs before each test file (jest `setupFiles`). jest gives every test file fresh modules but
 * one Node per worker, so `http` and `https` are shared by the files a worker runs, and two
 * libraries patch them for good: zapier-platform-core (its request logger, once a process) and
 * nock. A file that ran the app against a real server would leave core's logger in place, and it
 * sends the app's requests around the next file's nock. So each file starts from the modules as
 * the worker first saw them.
 */
import http from 'node:http';
import https from 'node:https';

const PRISTINE = Symbol.for('chatting-zapier.test.pristine-http');

type Patchable = typeof http & {
  [PRISTINE]?: Pick<typeof http, 'request' | 'get'>;
  patchedByZapier?: boolean;
  zapierLogger?: unknown;
};

for (const module of [http, https] as Patchable[]) {
  module[PRISTINE] ??= { request: module.request, get: module.get };
  module.request = module[PRISTINE].request;
  module.get = module[PRISTINE].get;
  delete module.patchedByZapier;
  delete module.zapierLogger;
}
