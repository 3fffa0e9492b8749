/**
 * The QA dashboard of a team mock (`--host 0.0.0.0 --admin-token T`), opened as a teammate
 * would: by a name of the machine that is not loopback. Chromium and the mock both run in a
 * network namespace the test makes itself (netns.ts); Chromium maps the name to its address.
 */
import assert from 'node:assert/strict';
import { launchBrowser, noChromium, screenshot, type Browser } from '../helpers/browser';
import { type Child, MOCK_CLI, REPO, startChild } from '../helpers/child';
import { createNamespace, noNetns, type Namespace } from '../helpers/netns';
import { startMock, type RunningMock } from '../helpers/mock';
import { describeUnless } from '../helpers/skip';

const TOKEN = 'team-s3cret';
const NAME = 'qa-mock.team.example';
const unsupported = noChromium || noNetns;

// jest prints no names of a file whose every test is skipped: say why here.
if (unsupported) console.warn(`The team dashboard test is skipped: ${unsupported}.`);

describeUnless(unsupported)('the dashboard of a team mock, under a name of the machine', () => {
  let namespace: Namespace;
  let mock: Child;
  let browser: Browser;

  beforeAll(async () => {
    namespace = createNamespace();
    const { file, args } = namespace.command(process.execPath, MOCK_CLI);
    mock = await startChild(
      ['--host', '0.0.0.0', '--admin-token', TOKEN, '--memory', '--quiet'],
      REPO,
      args,
      { file },
    );
    browser = await launchBrowser({
      namespace,
      args: [`--host-resolver-rules=MAP ${NAME} ${namespace.address}`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    mock?.process.kill('SIGTERM');
    await mock?.exited;
    namespace?.remove();
  });

  test('asks for the token, then shows the workspaces and fires an event', async () => {
    const { page } = browser;
    await page.goto(`http://${NAME}:${new URL(mock.base).port}/`);
    await page.locator('#token-form').waitFor();
    assert.match(await page.innerText('#token-why'), /started with an admin token/);
    // The status line follows the poll that met the 401: wait for it rather than read it once.
    await page.locator('#live-status', { hasText: /admin token/ }).waitFor();
    await page.fill('#token-input', TOKEN);
    await page.press('#token-input', 'Enter');
    await page.locator('#workspace-rows tr', { hasText: 'Acme Team' }).waitFor();

    // A change: the page's Origin is the name it was opened by, which is its Host.
    await page.fill('#fire-workspace', 'owner_123');
    await page.click('#fire-button');
    await page.locator('#fire-result', { hasText: 'happened in owner_123' }).waitFor();
    await screenshot(page, 'dashboard-team-mock');
    // Chromium logs each 401 before the token was given; nothing else went wrong.
    assert.deepEqual(
      browser.pageErrors.filter((error) => !/status of 401 \(Unauthorized\)/.test(error)),
      [],
    );
  });
});

describeUnless(noChromium)('the dashboard of a mock bound to loopback, under another name', () => {
  let mock: RunningMock;
  let browser: Browser;
  beforeAll(async () => {
    mock = await startMock();
    browser = await launchBrowser({ args: [`--host-resolver-rules=MAP ${NAME} 127.0.0.1`] });
  });
  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
  });

  test('says which address its admin API answers at', async () => {
    const port = new URL(mock.base).port;
    await browser.page.goto(`http://${NAME}:${port}/`);
    await browser.page
      .locator('#live-status', { hasText: `open http://127.0.0.1:${port}/` })
      .waitFor();
  });
});
