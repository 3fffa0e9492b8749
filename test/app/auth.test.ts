import assert from 'node:assert/strict';
import nock from 'nock';
import { App, appTester, authData, expectRequest, useNock } from '../helpers/nock-api';
import { zapierError } from '../helpers/app';
import { referenceExample } from '../helpers/fixtures';
import { readSchema } from '../../schemas/catalog';

const authentication = App.authentication ?? assert.fail('the app has no authentication');

useNock();

describe('authentication', () => {
  test('is one password field, api_key, with help that links to the reference', () => {
    const [field, ...others] = authentication.fields ?? [];
    assert.equal(others.length, 0);
    assert.equal(field.key, 'api_key');
    assert.equal(field.type, 'password');
    assert.equal(field.required, true);
    assert.match(field.helpText ?? '', /https:\/\/usechatting\.com\//);
    // Where the key is, in words (the reference shows no page for it).
    assert.match(field.helpText ?? '', /in your Chatting account/);
    // Who may create keys: neither the reference nor the contract says, so the text does not.
    assert.doesNotMatch(field.helpText ?? '', /\b(owner|admin)s?\b/i);
    // The key's format, as the editor shows it in the empty field.
    assert.equal(field.placeholder, 'chatting_live_…');
  });

  test('the test calls GET /me with the key and returns the workspace', async () => {
    const seen = expectRequest('GET', '/me', {
      reply: referenceExample('responses/me/workspace'),
      replySchema: 'responses/me',
    });
    const result = await appTester(authentication.test as never, { authData });
    assert.equal((result as { team_name: string }).team_name, 'Acme Team');
    assert.equal(seen[0].headers['x-api-key'], authData.api_key);
  });

  test('a 200 that is not the workspace fails the test, naming GET /me and what came back', async () => {
    for (const reply of [
      '<!doctype html><title>Sign in</title>',
      { ok: false, error: 'api-key-invalid' },
      { ok: true },
    ]) {
      expectRequest('GET', '/me', { reply });
      const { name, text } = await zapierError(
        appTester(authentication.test as never, { authData }),
      );
      assert.equal(name, 'AppError');
      assert.match(text, /^Chatting answered GET \/me with something other than the workspace/);
      assert.ok(text.includes(typeof reply === 'string' ? 'Sign in' : JSON.stringify(reply)));
    }
  });

  test("the connection label names the team and the owner from the test's answer", () => {
    const template = authentication.connectionLabel as string;
    assert.equal(template, '{{bundle.inputData.team_name}} ({{bundle.inputData.owner_email}})');
    // Every field it names is in the answer of GET /me.
    const fields = [...template.matchAll(/\{\{bundle\.inputData\.(\w+)\}\}/g)].map((m) => m[1]);
    const me = readSchema('responses/me') as { required: string[] };
    for (const field of fields) assert.ok(me.required.includes(field), field);
  });

  for (const code of ['api-key-invalid', 'api-key-missing']) {
    test(`${code} asks the user to reconnect (ExpiredAuthError)`, async () => {
      expectRequest('GET', '/me', { status: 401, reply: { ok: false, error: code } });
      await assert.rejects(
        appTester(authentication.test as never, { authData }),
        (error: Error) => {
          assert.equal(error.name, 'ExpiredAuthError');
          assert.match(error.message, /reconnect your Chatting account/);
          assert.ok(!error.message.split('\n')[0].includes('{'), 'no raw JSON');
          return true;
        },
      );
    });
  }

  test('a 404 in a local run names CHATTING_BASE_URL, which was set for it', async () => {
    // What a base URL without /api/zapier gets from Chatting, and what a web server's own 404 is.
    for (const reply of [{ ok: false, error: 'not-found' }, 'Not Found']) {
      expectRequest('GET', '/me', { status: 404, reply });
      const { text } = await zapierError(appTester(authentication.test as never, { authData }));
      assert.match(text, /^The connection test could not reach Chatting's API: GET \/me answered/);
      assert.match(text, /Check that CHATTING_BASE_URL ends in \/api\/zapier/);
      assert.doesNotMatch(text, /mapped/);
    }
  });

  test('a 404 in Zapier (no CHATTING_BASE_URL) says what a Zap user can do, not a setting', async () => {
    process.env.CHATTING_BASE_URL = '';
    nock('https://usechatting.com')
      .get('/api/zapier/me')
      .reply(404, { ok: false, error: 'not-found' });
    try {
      const { text } = await zapierError(appTester(authentication.test as never, { authData }));
      assert.match(text, /^The connection test could not reach Chatting's API/);
      assert.match(text, /tell Chatting support/);
      assert.doesNotMatch(text, /CHATTING_BASE_URL|base URL/);
    } finally {
      process.env.CHATTING_BASE_URL = 'https://chatting.test/api/zapier';
    }
  });

  test('the base URL is read at call time', async () => {
    process.env.CHATTING_BASE_URL = 'https://elsewhere.test/api/zapier';
    const scope = nock('https://elsewhere.test')
      .get('/api/zapier/me')
      .reply(200, referenceExample('responses/me/workspace') as nock.Body);
    try {
      await appTester(authentication.test as never, { authData });
      assert.ok(scope.isDone());
    } finally {
      process.env.CHATTING_BASE_URL = 'https://chatting.test/api/zapier';
    }
  });

  test('an empty CHATTING_BASE_URL means production; a relative one is refused', async () => {
    process.env.CHATTING_BASE_URL = '';
    const scope = nock('https://usechatting.com')
      .get('/api/zapier/me')
      .reply(200, referenceExample('responses/me/workspace') as nock.Body);
    try {
      await appTester(authentication.test as never, { authData });
      assert.ok(scope.isDone());
      process.env.CHATTING_BASE_URL = '/api/zapier';
      await assert.rejects(
        appTester(authentication.test as never, { authData }),
        /absolute http\(s\) URL/,
      );
    } finally {
      process.env.CHATTING_BASE_URL = 'https://chatting.test/api/zapier';
    }
  });

  describe('plain http', () => {
    async function calls(base: string): Promise<void> {
      process.env.CHATTING_BASE_URL = base;
      const url = new URL(base);
      const scope = nock(url.origin)
        .get(`${url.pathname}/me`)
        .reply(200, referenceExample('responses/me/workspace') as nock.Body);
      await appTester(authentication.test as never, { authData });
      assert.ok(scope.isDone(), base);
    }

    afterEach(() => {
      process.env.CHATTING_BASE_URL = 'https://chatting.test/api/zapier';
      delete process.env.CHATTING_ALLOW_HTTP;
    });

    test('is allowed for loopback hosts', async () => {
      for (const base of [
        'http://127.0.0.1:3000/api/zapier',
        'http://localhost:3000/api/zapier',
        'http://[::1]:3000/api/zapier',
      ])
        await calls(base);
    });

    test('is refused for any other host, with what to do', async () => {
      for (const base of ['http://chatting.test/api/zapier', 'http://10.0.0.5:3000/api/zapier']) {
        process.env.CHATTING_BASE_URL = base;
        await assert.rejects(
          appTester(authentication.test as never, { authData }),
          (error: Error) => {
            assert.match(error.message, /must use https/);
            assert.match(error.message, /CHATTING_ALLOW_HTTP=1/);
            return true;
          },
        );
      }
    });

    test('is allowed for another host when CHATTING_ALLOW_HTTP=1', async () => {
      process.env.CHATTING_ALLOW_HTTP = '1';
      await calls('http://10.0.0.5:3000/api/zapier');
    });
  });

  test('without CHATTING_BASE_URL it calls production', async () => {
    delete process.env.CHATTING_BASE_URL;
    const scope = nock('https://usechatting.com')
      .get('/api/zapier/me')
      .reply(200, referenceExample('responses/me/workspace') as nock.Body);
    try {
      await appTester(authentication.test as never, { authData });
      assert.ok(scope.isDone());
    } finally {
      process.env.CHATTING_BASE_URL = 'https://chatting.test/api/zapier';
    }
  });
});
