/**
 * The QA dashboard and the docs page in a real browser (headless Chromium): the flows a QA
 * engineer goes through, each ending in a screenshot under reports/screenshots/. Every wait is
 * for an element or a state, never for time.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { readSchema } from '../../schemas/catalog';
import { launchBrowser, noChromium, screenshot, type Browser } from '../helpers/browser';
import { DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { describeUnless } from '../helpers/skip';

/** The example data of an event in the schema of POST /__admin/events (the form's prefill). */
function exampleData(event: string): unknown {
  const examples = readSchema('admin/simulate-event').examples as {
    event: string;
    data: unknown;
  }[];
  return examples.find((example) => example.event === event)?.data;
}

// jest prints no names of a file whose every test is skipped: say why here.
if (noChromium) console.warn(`The browser tests are skipped: ${noChromium}.`);

describeUnless(noChromium)('QA dashboard and docs page in Chromium', () => {
  let mock: RunningMock;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mock = await startMock();
    receiver = await startReceiver();
    const subscribed = await mock.request('POST', '/api/zapier/webhooks/subscribe', {
      body: { event: 'conversation.created', target_url: receiver.url('/qa') },
    });
    assert.equal(subscribed.status, 201, subscribed.text);
    browser = await launchBrowser();
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await mock?.stop();
  });

  test('the dashboard shows workspaces with masked keys, sites, counts and subscriptions', async () => {
    await page.goto(`${mock.base}/`);
    const acme = page.locator('#workspace-rows tr', { hasText: 'Acme Team' });
    await acme.waitFor();
    assert.match(await acme.innerText(), /chatting_live_demo_••••••/);
    assert.match(await acme.innerText(), /www\.acme\.example\s*primary/);
    assert.match(await acme.innerText(), /\b1\s+active subscription\b/);
    assert.ok(!(await page.content()).includes(DEMO_KEYS.acme), 'no key is shown in full');
    const subscription = page.locator('#subscription-rows tr', { hasText: receiver.url('/qa') });
    assert.match(await subscription.innerText(), /owner_123\s+conversation\.created.*\s+active/s);
    await screenshot(page, 'dashboard');
  });

  test('firing an event shows its delivery appear with its status, and opens it by keyboard', async () => {
    await page.fill('#fire-workspace', 'owner_123');
    await page.selectOption('#fire-event', 'conversation.created');
    const prefilled = JSON.parse(await page.inputValue('#fire-data')) as unknown;
    assert.deepEqual(prefilled, exampleData('conversation.created'));
    await page.click('#fire-button');
    await page.locator('#fire-result', { hasText: 'sent to 1 subscription' }).waitFor();
    const row = page.locator('#delivery-rows tr[data-delivery]', { hasText: 'delivered' });
    await row.waitFor();
    assert.match(await row.innerText(), /conversation\.created\s+owner_123/);
    const [delivery] = await receiver.waitFor(1);
    assert.deepEqual((delivery.body as { data: object }).data, {
      ...(delivery.body as { data: object }).data,
      ...(prefilled as object),
    });

    await row.getByRole('button', { name: 'Open' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('#detail');
    await dialog.waitFor();
    const attempt = await dialog.locator('.timeline li.attempt-item').first().innerText();
    assert.match(attempt, /^Attempt 1\s+200\s/, 'attempt 1 answered 200');
    assert.match(await dialog.locator('pre').innerText(), /"visitor_name": "Ava Visitor"/);
    await screenshot(page, 'dashboard-delivery');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  test('redeliver sends the same payload again, as a new delivery', async () => {
    const first = page.locator('#delivery-rows tr[data-delivery]').first();
    await first.getByRole('button', { name: 'Open' }).click();
    await page.locator('#detail').getByRole('button', { name: 'Redeliver' }).click();
    await page.locator('#detail').waitFor({ state: 'hidden' });
    await page.locator('#notice', { hasText: 'Redelivering as' }).waitFor();
    await page
      .locator('#delivery-rows tr[data-delivery]', { hasText: 'delivered' })
      .nth(1)
      .waitFor();
    const [original, again] = await receiver.waitFor(2);
    assert.deepEqual(again.body, original.body);
  });

  test('subscriptions filter by state; a new key is shown once, works, and is revoked', async () => {
    const row = page.locator('#subscription-rows tr', { hasText: receiver.url('/qa') });
    await page.selectOption('#subscription-active', 'false');
    await row.waitFor({ state: 'detached' });
    await page.selectOption('#subscription-active', 'true');
    await row.waitFor();

    const acme = page.locator('#workspace-rows tr', { hasText: 'Acme Team' });
    await acme.getByRole('button', { name: 'New key' }).click();
    const secret = acme.locator('.new-key code');
    await secret.waitFor();
    assert.match(await secret.innerText(), /^chatting_live_\w+_••••••$/, 'masked until asked');
    await acme.locator('.new-key').getByRole('button', { name: 'Show' }).click();
    const key = await secret.innerText();
    assert.equal((await mock.request('GET', '/api/zapier/me', { key })).status, 200);

    const keyId = key.split('_')[2];
    const item = acme.locator('li', { hasText: `chatting_live_${keyId}_` });
    await item.getByRole('button', { name: 'Revoke' }).click();
    await item.locator('.badge', { hasText: 'revoked' }).waitFor();
    assert.equal((await mock.request('GET', '/api/zapier/me', { key })).status, 401);
  });

  test('a journal entry opens with its redacted headers and bodies; filters by status and path', async () => {
    const refused = await mock.request('GET', '/api/zapier/me', { key: 'chatting_live_x_wrong' });
    assert.equal(refused.status, 401);
    await page.selectOption('#journal-status', '4xx');
    const entry = page
      .locator('#journal-rows tr[data-entry]', { hasText: '/api/zapier/me' })
      .first();
    await entry.waitFor();
    // Only error answers are listed (a success has the green badge).
    await page.locator('#journal-rows .badge.delivered').first().waitFor({ state: 'detached' });
    assert.match(await entry.innerText(), /GET\s+\/api\/zapier\/me\s+401/);
    await page.selectOption('#journal-status', '');

    await page.fill('#journal-path', '/webhooks/subscribe');
    const rows = page.locator('#journal-rows tr[data-entry]');
    await page.locator('#journal-rows tr[data-entry]', { hasText: 'POST' }).first().waitFor();
    await rows.filter({ hasNotText: '/webhooks/subscribe' }).first().waitFor({ state: 'detached' });
    await rows.first().getByRole('button', { name: 'Open' }).click();
    const dialog = page.locator('#detail');
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.match(text, /POST \/api\/zapier\/webhooks\/subscribe → 201/);
    assert.match(text, /x-api-key\s+\[redacted\]/);
    assert.match(text, /"target_url": "http:\/\/127\.0\.0\.1:\d+\/qa"/);
    assert.ok(!text.includes(DEMO_KEYS.acme), 'the key is redacted');
    await screenshot(page, 'journal-entry');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.fill('#journal-path', '');
  });

  test('a fault rule is added and removed, and the API follows it', async () => {
    await page.fill('#fault-path', '/api/zapier/me');
    await page.selectOption('#fault-error', 'internal-error');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.locator('#fault-rows li[data-fault]', { hasText: '/api/zapier/me' });
    await rule.waitFor();
    assert.match(await rule.innerText(), /error internal-error/);
    assert.equal((await mock.request('GET', '/api/zapier/me')).status, 500);
    await screenshot(page, 'fault-rule');

    await rule.getByRole('button', { name: 'Remove' }).click();
    await rule.waitFor({ state: 'detached' });
    assert.deepEqual((await mock.request('GET', '/__admin/faults', { key: null })).body.items, []);
    assert.equal((await mock.request('GET', '/api/zapier/me')).status, 200);
  });

  test('the docs page renders the bundled document and tries GET /me against this mock', async () => {
    await page.goto(`${mock.base}/docs`);
    await page.locator('.servers select').waitFor();
    assert.equal(await page.inputValue('.servers select'), `${mock.base}/api/zapier`);

    await page.getByRole('button', { name: 'Authorize' }).first().click();
    // The API key comes first (the box a demo key is pasted in), its format shown whole.
    const first = page.locator('.auth-container').first();
    assert.match(await first.innerText(), /X-API-Key/);
    assert.match(await first.innerText(), /chatting_live_<key-id>_<secret>/);
    const scheme = page.locator('.auth-container', { hasText: 'X-API-Key' });
    // The dialog opens with the API key's box focused: a key pasted at once lands there.
    // (In the page's own words: the project's TypeScript has no DOM types.)
    await page.waitForFunction(
      "document.activeElement?.closest('.auth-container')?.textContent.includes('X-API-Key')",
      undefined,
      { timeout: 5000 },
    );
    await page.keyboard.type(DEMO_KEYS.acme);
    assert.equal(await scheme.locator('input').inputValue(), DEMO_KEYS.acme);
    await scheme.getByRole('button', { name: 'Apply credentials' }).click();
    await scheme.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await scheme.getByRole('button', { name: 'Close' }).click();

    const me = page.locator('#operations-Auth-getMe');
    await me.locator('.opblock-summary').click();
    await me.getByRole('button', { name: 'Execute' }).waitFor();
    await screenshot(page, 'docs');
    await me.getByRole('button', { name: 'Execute' }).click();
    const status = me.locator('.live-responses-table .response .response-col_status');
    await status.waitFor();
    assert.equal((await status.innerText()).trim(), '200');
    assert.match(await me.locator('.live-responses-table').innerText(), /"team_name": "Acme Team"/);
    assert.match(
      await me.locator('.request-url').innerText(),
      new RegExp(`${mock.base}/api/zapier/me`),
    );
    await me.locator('.live-responses-table').scrollIntoViewIfNeeded();
    await screenshot(page, 'docs-try-it');
  });

  test('the pages load nothing from anywhere but the mock, and throw no error', () => {
    const elsewhere = browser.requested.filter(
      (url) => !url.startsWith(`${mock.base}/`) && !url.startsWith('data:'),
    );
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(browser.pageErrors, []);
  });
});

describeUnless(noChromium)('QA dashboard on a server with an admin token', () => {
  const token = 'qa-dashboard-token';
  let mock: RunningMock;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMock({ adminToken: token });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
  });

  test('asks for the token, says when it is wrong, then sends it as X-Admin-Token', async () => {
    const { page } = browser;
    const tokens: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/__admin/')) tokens.push(request.headers()['x-admin-token']);
    });
    await page.goto(`${mock.base}/`);
    await page.locator('#token-form').waitFor();
    assert.match(await page.innerText('#token-why'), /started with an admin token/);
    // Nothing is live, and the cards say what they wait for.
    assert.equal(await page.getAttribute('#live-status', 'class'), 'paused');
    assert.equal(await page.innerText('#workspace-rows'), 'Waiting for the admin token…');

    await page.fill('#token-input', 'not-the-token');
    await page.press('#token-input', 'Enter');
    await page.locator('#token-why', { hasText: 'not valid' }).waitFor();

    await page.fill('#token-input', token);
    await page.press('#token-input', 'Enter');
    await page.locator('#workspace-rows tr', { hasText: 'Acme Team' }).waitFor();
    assert.ok(tokens.includes(token));
    await screenshot(page, 'dashboard-token');
  });
});
