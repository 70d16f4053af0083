import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (tools/browser/ensure-chromium.sh installs it); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium keeps dialling its vendor's services, which a closed
 * network refuses many times over; the rest keep a test browser from doing anything but load our pages.
 * `--no-sandbox`: the tests run as root, where Chromium's sandbox refuses to start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** A page with what its browser complained about: CSP violations, script errors, failed loads. */
export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order (a CSP violation is a console error). */
  problems: string[];
}

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies: a different person) with one page in it. */
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches Debian's Chromium headless through playwright-core. Playwright gives every launch a fresh,
 * empty `--user-data-dir` of its own (it refuses the flag in `args`), so no profile state leaks from one
 * run to the next.
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (!chromiumInstalled())
    throw new Error(`${CHROMIUM_PATH} is missing: run tools/browser/ensure-chromium.sh (as root)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    newPage: async () => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      return { page, problems };
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}
