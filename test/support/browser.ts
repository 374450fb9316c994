/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium through scripts/browser (installed there if missing); null with the reason when impossible. */
export function findChromium(): { path: string | null; why: string } {
  try {
    const path = execFileSync('bash', ['scripts/browser'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    }).trim();
    return { path, why: '' };
  } catch (err: unknown) {
    return { path: null, why: String((err as { stderr?: string }).stderr ?? err).trim() };
  }
}

/** A headless Chromium for the web client's specs. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let phoneSeq = Math.floor(Math.random() * 1e7);

/**
 * A new user logged in through the web client's login form (development code), in a context of its own
 * (its own localStorage), on the lobby.
 */
export async function loginPage(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = { width: 1100, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
  watchCsp(page);
  await page.goto(baseUrl);
  await page.fill('#phone', `136${String((phoneSeq += 1) % 1e8).padStart(8, '0')}`);
  await page.click('#send-code');
  await page.waitForFunction(() => (document.getElementById('code') as HTMLInputElement).value.length === 6);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#view-lobby:not([hidden])');
  return page;
}

/**
 * The login token of a page's user: the HttpOnly `qytk` cookie the gateway set at its login (the page itself
 * keeps no token where a script could read it), for a plain API client acting as that user.
 */
export async function sessionToken(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'qytk');
  if (!cookie) throw new Error('the page is not logged in: no qytk cookie');
  return cookie.value;
}

/** What the pages of this spec file were refused by their Content-Security-Policy (Chromium's console errors). */
export const cspViolations: string[] = [];

/** Records `page`'s CSP refusals in cspViolations (and on stderr). */
export function watchCsp(page: Page): void {
  page.on('console', (message) => {
    if (message.type() !== 'error' || !message.text().includes('Content Security Policy')) return;
    cspViolations.push(message.text());
    process.stderr.write(`[csp] ${message.text()}\n`);
  });
}

/**
 * Loads axe-core into the page. Evaluated (as DevTools does), not as a <script> tag: the page's CSP (script-src
 * 'self') refuses inline scripts, as it should.
 */
export async function injectAxe(page: Page): Promise<void> {
  await page.evaluate(readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8'));
}

/**
 * The axe-core violations (WCAG 2 A/AA, every impact) inside the elements `include` selects, as
 * "rule: targets" lines; [] when there is none.
 */
export async function axeViolations(page: Page, include: string[]): Promise<string[]> {
  await injectAxe(page);
  return page.evaluate(async (include) => {
    type Result = { violations: { id: string; nodes: { target: string[] }[] }[] };
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<Result> } }).axe;
    const r = await axe.run(
      { include: include.map((s) => [s]) },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } },
    );
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, include);
}

/** The viewports the web client's specs use: a laptop and a 390x844 phone. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The Chromium of a browser spec (`spec`: its name, for the message). When none could be had, every test of
 * the file fails with the reason (a beforeAll that throws): never skipped, so `npm test` is not green
 * without the browser suites.
 */
export function chromiumFor(spec: string): string {
  const found = findChromium();
  if (!found.path) {
    const why = `[${spec} e2e] no Chromium could be installed here (scripts/browser): ${found.why}`;
    process.stderr.write(`${why}\n`);
    beforeAll(() => {
      throw new Error(why);
    });
  }
  return found.path ?? '';
}
