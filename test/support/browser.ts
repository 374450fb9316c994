/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
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
  await page.goto(baseUrl);
  await page.fill('#phone', `136${String((phoneSeq += 1) % 1e8).padStart(8, '0')}`);
  await page.click('#send-code');
  await page.waitForFunction(() => (document.getElementById('code') as HTMLInputElement).value.length === 6);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#view-lobby:not([hidden])');
  return page;
}
