/**
 * What the browser tests and the bench measure of the QA dashboard: its layout (nothing cut
 * off, nothing scrolling inside the page) and its polls (requests and time of each), read from
 * the page's own performance timeline.
 */
import type { Page } from 'playwright-core';

/** The two screens the dashboard is laid out for: a laptop's and a desktop monitor's. */
export const DASHBOARD_SCREENS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/*
 * What the in-page checks use of the DOM. The project's TypeScript has Node's globals, not the
 * browser's (adding the DOM library would change them for every file), so the few used are
 * declared here, for this module only.
 */
interface PageElement {
  tagName: string;
  id: string;
  classList: Iterable<string>;
  textContent: string | null;
  clientWidth: number;
  clientHeight: number;
  scrollWidth: number;
  scrollHeight: number;
  matches(selector: string): boolean;
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface ComputedStyle {
  display: string;
  overflowX: string;
  overflowY: string;
  textOverflow: string;
}
declare const document: { body: PageElement; documentElement: PageElement };
declare const window: { innerWidth: number };
declare function getComputedStyle(element: PageElement): ComputedStyle;

/** The name the dashboard measures each poll under (mock-server/dashboard/dashboard.js). */
export const POLL_MEASURE = 'dashboard-poll';

/**
 * What is wrong with the layout of the page as it is: each problem names the element.
 * - An element whose content is wider than its box (text running out of its cell or card),
 *   unless it is cut on purpose: one line ending in an ellipsis, with the whole text in its title.
 * - A box that scrolls inside the page (a scrollbar of its own).
 * - A page wider than the window.
 * Form fields are left out (text scrolls inside an input as it is typed), and so is text only
 * screen readers get.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const name = (element: PageElement): string => {
      const id = element.id ? `#${element.id}` : '';
      const classes = [...element.classList].map((c) => `.${c}`).join('');
      const text = (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      const card = element.closest('section')?.id;
      return `${element.tagName.toLowerCase()}${id}${classes} in ${card ? `#${card}` : 'the page'} ("${text}")`;
    };
    const cutOnPurpose = (element: PageElement, style: ComputedStyle): boolean => {
      if (style.textOverflow !== 'ellipsis' || style.overflowX !== 'hidden') return false;
      const titled = element.closest('[title]');
      const text = (element.textContent ?? '').trim();
      return Boolean(titled?.getAttribute('title')?.includes(text));
    };
    const skipped = 'input, select, option, .sr-only, .sr-only *, dialog, dialog *, script, style';
    for (const element of document.body.querySelectorAll('*')) {
      if (element.matches(skipped)) continue;
      const style = getComputedStyle(element);
      if (style.display === 'none' || element.clientWidth === 0) continue;
      const wider = element.scrollWidth > element.clientWidth + 1;
      const taller = element.scrollHeight > element.clientHeight + 1;
      const scrolls = (overflow: string) => overflow === 'auto' || overflow === 'scroll';
      if ((wider && scrolls(style.overflowX)) || (taller && scrolls(style.overflowY))) {
        problems.push(`scrolls inside the page: ${name(element)}`);
      } else if (wider && !cutOnPurpose(element, style)) {
        problems.push(
          `content wider than its box (${element.scrollWidth} > ${element.clientWidth} px): ${name(element)}`,
        );
      }
    }
    const page = document.documentElement;
    if (page.scrollWidth > window.innerWidth) {
      problems.push(`the page is wider than the window (${page.scrollWidth} px)`);
    }
    return problems;
  });
}

/** Keeps every resource timing of the page (the browser keeps 250 by default). */
export async function recordPolls(page: Page): Promise<void> {
  await page.addInitScript(() => performance.setResourceTimingBufferSize(100_000));
}

export interface Poll {
  /** From the poll's start until every list it read was drawn. */
  ms: number;
  /** Admin API requests the page started during the poll. */
  requests: number;
  /** Their paths and queries. */
  paths: string[];
}

/**
 * The dashboard's polls after the first `skip` (the first ones load the page), once `count`
 * more have finished. The requests are the browser's own record (resource timing), not the
 * page's account of them.
 */
export async function polls(page: Page, count: number, skip = 1): Promise<Poll[]> {
  const wanted = skip + count;
  await page.waitForFunction(
    ([measure, n]) => performance.getEntriesByName(measure as string).length >= n,
    [POLL_MEASURE, wanted] as const,
    // Polls come every 1.5 s: a few seconds more than they need, then the test fails.
    { timeout: 5_000 + wanted * 3_000 },
  );
  return page.evaluate(
    ([measure, from, n]) => {
      const resources = performance
        .getEntriesByType('resource')
        .filter((entry) => new URL(entry.name).pathname.startsWith('/__admin/'));
      return performance
        .getEntriesByName(measure as string)
        .slice(from, from + n)
        .map((poll) => {
          const made = resources.filter(
            (r) => r.startTime >= poll.startTime && r.startTime <= poll.startTime + poll.duration,
          );
          const paths = made.map((r) => {
            const url = new URL(r.name);
            return `${url.pathname}${url.search}`;
          });
          return { ms: poll.duration, requests: made.length, paths };
        });
    },
    [POLL_MEASURE, skip, count] as const,
  );
}
