/**
 * Headless Chromium from the system (Debian's `chromium` package, installed by .ci/run) driven
 * by playwright-core: no browser is downloaded. Each launch gets a fresh profile, and the flags
 * that keep Chromium off the network (it would otherwise call home, and be refused here).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO } from './child';
import type { Namespace } from './netns';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO, 'reports', 'screenshots');

/** Why the browser tests cannot run here, or false. */
export const noChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the pages requested, to prove they load nothing from elsewhere. */
  requested: string[];
  /** Errors the pages threw or logged. */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Run Chromium inside this network namespace (netns.ts), to reach a server there. */
  namespace?: Namespace;
  /** More Chromium flags (e.g. --host-resolver-rules, to give an address a name). */
  args?: string[];
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.namespace ? inNamespace(options.namespace, profile) : CHROMIUM,
    headless: true,
    args: [...FLAGS, ...(options.args ?? [])],
    viewport: { width: 1280, height: 800 },
  });
  // Bounded: a missing element fails the test in seconds, not at jest's timeout.
  context.setDefaultTimeout(10_000);
  const requested: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return {
    context,
    page,
    requested,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A script that runs Chromium inside the namespace: playwright takes one executable path. */
function inNamespace(namespace: Namespace, dir: string): string {
  const { file, args } = namespace.command(CHROMIUM);
  const script = path.join(dir, 'chromium-in-namespace.sh');
  const quoted = [file, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`);
  writeFileSync(script, `#!/bin/sh\nexec ${quoted.join(' ')} "$@"\n`, { mode: 0o755 });
  return script;
}

/** A screenshot of the page for a person to look at (reports/ is git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}
