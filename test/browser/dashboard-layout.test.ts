/**
 * The QA dashboard's layout at the two common screen widths, and its polls: with demo data and
 * the things QA makes (a generated key shown, a long target URL, deliveries that were retried,
 * a fault rule, a workspace with a long owner email and domain), no column is cut off and nothing scrolls inside the page; with more workspaces
 * than a page holds, a poll is still one request per list. Screenshots go to reports/screenshots/.
 */
import assert from 'node:assert/strict';
import { DASHBOARD_SCREENS, layoutProblems, polls, recordPolls } from '../helpers/dashboard';
import { launchBrowser, noChromium, screenshot, type Browser } from '../helpers/browser';
import { DEMO_KEYS, startMock, type RunningMock } from '../helpers/mock';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { describeUnless } from '../helpers/skip';

if (noChromium) console.warn(`The browser tests are skipped: ${noChromium}.`);

describeUnless(noChromium)('QA dashboard layout', () => {
  let mock: RunningMock;
  let receiver: Receiver;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMock({ delivery: { backoffMs: 20 } });
    // The first attempt of every other delivery fails: retried deliveries have a timeline.
    receiver = await startReceiver((call) => ({ status: call % 2 === 1 ? 503 : 200 }));
    const long = receiver.url(
      '/hooks/catch/18372645/3b9f2kq/conversation-created/with/a/long/path?source=chatting&zap=9182736455',
    );
    for (const [key, event] of [
      [DEMO_KEYS.acme, 'conversation.created'],
      [DEMO_KEYS.globex, 'tag.added'],
    ] as const) {
      const subscribed = await mock.request('POST', '/api/zapier/webhooks/subscribe', {
        key,
        body: { event, target_url: long },
      });
      assert.equal(subscribed.status, 201, subscribed.text);
    }
    for (const workspace_id of ['owner_123', 'owner_456', 'owner_123']) {
      const event = workspace_id === 'owner_123' ? 'conversation.created' : 'tag.added';
      const fired = await mock.request('POST', '/__admin/events', {
        key: null,
        body: { workspace_id, event },
      });
      assert.equal(fired.status, 201, fired.text);
    }
    await receiver.waitFor(5);
    // A workspace whose owner email and domain are long words (one breaks only at its hyphens).
    const initech = await mock.request('POST', '/__admin/workspaces', {
      key: null,
      body: {
        team_name: 'Initech',
        owner_email: 'someone.with.a.long.address@subdomain.example-company.com',
        domain: 'www.an-extremely-long-domain-name-for-testing.example.com',
      },
    });
    assert.equal(initech.status, 201, initech.text);
    const fault = await mock.request('POST', '/__admin/faults', {
      key: null,
      body: { path: '/api/zapier/conversations', error: 'internal-error', times: 3 },
    });
    assert.equal(fault.status, 201, fault.text);
    await mock.request('GET', '/api/zapier/conversations?limit=1&event=conversation.created');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await mock?.stop();
  });

  for (const screen of DASHBOARD_SCREENS) {
    test(`at ${screen.width}×${screen.height} no column is cut off and no card scrolls`, async () => {
      const { page } = browser;
      await page.setViewportSize(screen);
      await page.goto(`${mock.base}/`);
      const globex = page.locator('#workspace-rows tr', { hasText: 'Globex' });
      await globex.getByRole('button', { name: 'New key' }).click();
      await globex.locator('.new-key').getByRole('button', { name: 'Show' }).click();
      // Drawn: the retried deliveries, the fault rule, the journal's error.
      await page.locator('#delivery-rows .attempt:not(.ok) + .gap + .attempt.ok').first().waitFor();
      await page.locator('#fault-rows li[data-fault]').waitFor();
      await page.locator('#journal-rows .badge.failed').first().waitFor();
      assert.deepEqual(await layoutProblems(page), []);
      await screenshot(page, `dashboard-${screen.width}`);
    });
  }

  test('the self-test: a cut-off column and a scrolling card are found', async () => {
    const { page } = browser;
    await page.setViewportSize(DASHBOARD_SCREENS[0]);
    await page.addStyleTag({
      content:
        '#delivery-rows td.fill .clip { text-overflow: clip }' +
        ' #workspaces { max-height: 5rem; overflow: auto }',
    });
    const problems = await layoutProblems(page);
    assert.ok(
      problems.some((p) => /^content wider than its box .*span\.clip\.url in #deliveries/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('scrolls inside the page: section#workspaces')),
      problems.join('\n'),
    );
  });
});

describeUnless(noChromium)('QA dashboard polls', () => {
  let mock: RunningMock;
  let browser: Browser;

  beforeAll(async () => {
    mock = await startMock();
    for (let i = 0; i < 30; i++) {
      const made = await mock.request('POST', '/__admin/workspaces', {
        key: null,
        body: { team_name: `Team ${i}`, owner_email: `owner${i}@example.com` },
      });
      assert.equal(made.status, 201, made.text);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
  });

  test('a poll is one request per list, however many workspaces there are; lists page', async () => {
    const { page } = browser;
    await recordPolls(page);
    await page.goto(`${mock.base}/`);
    const measured = await polls(page, 3);
    assert.deepEqual(
      measured.map((poll) => poll.requests),
      [5, 5, 5],
      'workspaces, deliveries, journal, subscriptions, fault rules',
    );
    assert.equal(await page.innerText('#workspaces-count'), '33 workspaces');
    assert.match(await page.innerText('#workspaces-pager'), /1–10 of 33/);
    assert.equal(await page.locator('#workspace-rows tr').count(), 10);

    await page.getByRole('button', { name: 'Next page' }).first().click();
    await page.locator('#workspace-rows tr', { hasText: 'Team 7' }).waitFor();
    assert.match(await page.innerText('#workspaces-pager'), /11–20 of 33/);
  });
});
