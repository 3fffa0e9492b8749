/**
 * Retakes the README's screenshots, docs/dashboard-1280.png, docs/dashboard-1920.png and
 * docs/docs-page.png (1280 wide), in headless Chromium against a mock of its own (in memory, on
 * 127.0.0.1) after a short QA session: a subscription, an event fired from the dashboard whose
 * delivery is retried once, a refused request in the journal, a fault rule; then the docs page
 * with its Authorize dialog open.
 *
 *   npx tsx scripts/readme-screenshots.ts
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchBrowser, noChromium } from '../test/helpers/browser';
import { REPO } from '../test/helpers/child';
import { DASHBOARD_SCREENS } from '../test/helpers/dashboard';
import { DEMO_KEYS, startMock } from '../test/helpers/mock';
import { startReceiver } from '../test/helpers/receiver';

async function main(): Promise<void> {
  if (noChromium) throw new Error(noChromium);
  const mock = await startMock({ delivery: { backoffMs: 400 } });
  // The second delivery (the one fired from the dashboard) fails once and is retried: its
  // attempts timeline has two steps. Calls are counted from 1.
  const receiver = await startReceiver((call) => ({ status: call === 2 ? 503 : 200 }));
  const browser = await launchBrowser();
  try {
    for (const [key, event, hook] of [
      [DEMO_KEYS.acme, 'conversation.created', '/hooks/catch/1873264/3b9f2kq/'],
      [DEMO_KEYS.globex, 'tag.added', '/hooks/catch/1873264/7hd81ma/'],
    ] as const) {
      const subscribed = await mock.request('POST', '/api/zapier/webhooks/subscribe', {
        key,
        body: { event, target_url: receiver.url(hook) },
      });
      assert.equal(subscribed.status, 201, subscribed.text);
    }
    await mock.request('POST', '/__admin/events', {
      key: null,
      body: { workspace_id: 'owner_456', event: 'tag.added' },
    });
    await mock.request('GET', '/api/zapier/me', { key: 'chatting_live_x_notarealkeynotareal' });

    const { page } = browser;
    await page.setViewportSize(DASHBOARD_SCREENS[0]);
    await page.goto(`${mock.base}/`);
    await page.fill('#fire-workspace', 'owner_123');
    await page.click('#fire-button');
    await page.locator('#delivery-rows .attempt:not(.ok) + .gap + .attempt.ok').waitFor();
    await page.fill('#fault-path', '/api/zapier/contacts');
    await page.selectOption('#fault-error', 'internal-error');
    await page.fill('#fault-times', '2');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('#fault-rows li[data-fault]').waitFor();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.mouse.move(0, 0);
    for (const screen of DASHBOARD_SCREENS) {
      await page.setViewportSize(screen);
      await page.screenshot({ path: path.join(REPO, 'docs', `dashboard-${screen.width}.png`) });
    }
    await page.setViewportSize(DASHBOARD_SCREENS[0]);

    await page.goto(`${mock.base}/docs`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    // The first box is the API key's: the demo key goes there.
    await page.locator('.auth-container').first().locator('input').fill(DEMO_KEYS.acme);
    await page.screenshot({ path: path.join(REPO, 'docs', 'docs-page.png') });
    console.log('written: docs/dashboard-1280.png, docs/dashboard-1920.png, docs/docs-page.png');
  } finally {
    await browser.close();
    await receiver.close();
    await mock.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
