/**
 * The cost of the hostile inputs of issue 21 that used to stall the mock, now that each takes
 * linear time: a fault rule of many stars, a `_like` that backtracks as a regular expression, a
 * key hidden behind nested escapes in a body the journal shows, a pipeline ending in garbage,
 * the db browser's joins (json-server scanned a collection per record shown), and one record of
 * a large collection in the db browser (it read the whole collection). Starts the
 * mock in this process (in memory) on 127.0.0.1 and prints one line per case: the median of a
 * few runs, and the time a regular expression took where one was used.
 *
 *   npx tsx bench/hostile-input.ts
 */
import { performance } from 'node:perf_hooks';
import { globMatches } from '../mock-server/api/fault-injection';
import { createServer } from '../mock-server/server';
import { buildContact, buildConversation, buildMessage } from '../mock-server/domain/records';
import { DEMO_KEYS, demoSeed } from '../mock-server/store/seed';
import { call } from '../test/helpers/mock';
import { parseAnswers, rawConnection } from '../test/helpers/raw-http';

const RUNS = 5;

async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const ms = (value: number) =>
  value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(1)} ms`;

async function main(): Promise<void> {
  const server = await createServer({});
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = (method: string, path: string, body?: unknown) =>
    call(base, method, `/__admin${path}`, { key: null, body });
  const lines: string[] = [];
  try {
    // A fault rule of many stars: the issue's rule against a 35-character id, and the longest
    // rule the schema allows (500 characters, 249 stars) against a 1,000-character id.
    const rule = `/${'*a'.repeat(10)}*b`;
    await admin('POST', '/faults', { path: rule, error: 'internal-error' });
    const regex = new RegExp(`^/api/zapier${rule.split('*').join('.*')}$`);
    const shortId = 'a'.repeat(24);
    const regexMs = await median(() => regex.test(`/api/zapier/webhooks/${shortId}`));
    const issueMs = await median(() =>
      call(base, 'DELETE', `/api/zapier/webhooks/${'a'.repeat(35)}`),
    );
    lines.push(
      `fault rule ${rule}, 35-character id: ${ms(issueMs)} a request ` +
        `(as a regular expression: ${ms(regexMs)} for a 24-character id alone)`,
    );
    await admin('DELETE', '/faults');
    const longRule = `/${'a*'.repeat(249)}b`.slice(0, 500);
    const longPath = `/api/zapier/webhooks/${'a'.repeat(1000)}`;
    lines.push(
      `glob of 249 stars against a 1,021-character path: ${ms(await median(() => globMatches(longRule, longPath)))}`,
    );

    // _like: the issue's ^(a+)+$ over a 28-character name, and over a 40-character one.
    for (const length of [28, 40]) {
      await call(base, 'POST', '/api/zapier/contacts', {
        key: DEMO_KEYS.acme,
        body: { email: `redos${length}@example.com`, name: `${'a'.repeat(length)}!` },
      });
    }
    const likeMs = await median(() =>
      admin('GET', `/db/contacts?name_like=${encodeURIComponent('^(a+)+$')}`),
    );
    const backtrack = /^(a+)+$/i;
    const backtrackMs = await median(() => backtrack.test(`${'a'.repeat(22)}!`));
    lines.push(
      `db browser name_like=^(a+)+$ over names of 28 and 40 characters: ${ms(likeMs)} a request ` +
        `(as a regular expression: ${ms(backtrackMs)} for 22 characters alone)`,
    );

    // A body near the 100 KiB limit, a key nested 30 escapes deep in it, read from the journal.
    const nested = (text: string) => text.replace(/_/g, `%${'25'.repeat(30)}5F`);
    const filler = `%25${'x'.repeat(20)}`.repeat(4000);
    await call(base, 'POST', '/api/zapier/conversations/conv_123/messages', {
      key: DEMO_KEYS.acme,
      body: { message: `${nested(DEMO_KEYS.globex)} ${filler}`.slice(0, 10_000) },
    });
    const journalMs = await median(() => admin('GET', '/journal?limit=1000'));
    lines.push(`journal of every request so far, a nested-escape key among them: ${ms(journalMs)}`);

    // 200 pipelined GET /me and garbage on one connection: 201 answers, in order.
    const me = `GET /api/zapier/me HTTP/1.1\r\nHost: x\r\nX-API-Key: ${DEMO_KEYS.acme}\r\n\r\n`;
    let answers = 0;
    const pipelineMs = await median(async () => {
      answers = parseAnswers(await rawConnection(base, `${me.repeat(200)}GARBAGE\r\n\r\n`)).length;
    });
    lines.push(`200 pipelined GET /me, then garbage: ${answers} answers in ${ms(pipelineMs)}`);
  } finally {
    await server.close();
  }
  lines.push(await joinCosts());
  lines.push(await oneRecordCost());
  console.log(lines.join('\n'));
}

/**
 * `_expand` and `_embed` over 1,000, 4,000 and 16,000 messages, each in a conversation of its
 * own (a mock seeded with them): a time that grows fourfold with four times the records is
 * linear (json-server's own joins took 0.36, 0.92 and 9.0 s).
 */
async function joinCosts(): Promise<string> {
  const times: string[] = [];
  for (const count of [1000, 4000, 16_000]) {
    const seed = demoSeed();
    const at = '2026-04-08T00:00:00.000Z';
    for (let i = 0; i < count; i++) {
      const conversation = buildConversation({ workspace_id: 'owner_123' }, at);
      seed.conversations.push(conversation);
      seed.messages.push(
        buildMessage(
          {
            workspace_id: 'owner_123',
            conversation_id: conversation.id,
            message: 'Hi',
            sender: 'visitor',
          },
          at,
        ),
      );
    }
    const server = await createServer({ seed });
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const browse = (query: string) => call(base, 'GET', `/__admin/db/${query}`, { key: null });
    try {
      const expandMs = await median(() => browse(`messages?_expand=conversation&_limit=${count}`));
      const embedMs = await median(() => browse(`conversations?_embed=messages&_limit=${count}`));
      times.push(`${count.toLocaleString('en')}: ${ms(expandMs)} / ${ms(embedMs)}`);
    } finally {
      await server.close();
    }
  }
  return `db browser messages?_expand=conversation / conversations?_embed=messages, by messages: ${times.join(', ')}`;
}

/**
 * One record by its id in the db browser at 50,000 contacts (read by its key) beside a list query
 * over the same collection (which reads all of it), the mock seeded with them.
 */
async function oneRecordCost(): Promise<string> {
  const seed = demoSeed();
  const at = '2026-04-08T00:00:00.000Z';
  for (let i = 0; i < 50_000; i++) {
    seed.contacts.push(
      buildContact(
        {
          workspace_id: 'owner_456',
          site_id: 'site_globex',
          email: `contact-${i}@example.com`,
          name: `Contact ${i}`,
        },
        at,
      ),
    );
  }
  const server = await createServer({ seed });
  const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const browse = (query: string) => call(base, 'GET', `/__admin/db/${query}`, { key: null });
  try {
    const oneMs = await median(() => browse('contacts/contact_123'));
    const listMs = await median(() => browse('contacts?name=Contact%2049999'));
    return `db browser at 50,000 contacts: one record by its id ${ms(oneMs)}, a list query ${ms(listMs)}`;
  } finally {
    await server.close();
  }
}

void main();
