/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { findChromium, launchChromium, loginPage as newUserPage } from './support/browser';
import { startTestStack, TestStack } from './support/test-stack';

const browserFound = findChromium();
const OUT = join('test-output', 'web-client');
if (!browserFound.path) {
  process.stderr.write(`[web-client e2e] SKIPPED: no Chromium could be installed here: ${browserFound.why}\n`);
}
const describeWithBrowser = browserFound.path ? describe : describe.skip;

describeWithBrowser('web client in a real browser (Chromium via playwright-core): anchor and viewer', () => {
  let stack: TestStack;
  let browser: Browser;
  const loginPage = (): Promise<Page> => newUserPage(browser, stack.baseUrl);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stack = await startTestStack({ realIm: true });
    browser = await launchChromium(browserFound.path!);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the viewer recharges and sends three gifts; both pages show the effects and the board; the balance drops by exactly the price', async () => {
    const anchor = await loginPage();
    await anchor.fill('#room-name', 'Playwright live');
    await anchor.click('#start-living');
    await anchor.waitForSelector('#view-room:not([hidden])');
    await anchor.waitForFunction(() => document.body.dataset.im === 'online');

    const viewer = await loginPage();
    await viewer.click('#refresh-rooms');
    const roomButton = viewer.locator('#rooms button', { hasText: 'Playwright live' }).first();
    await roomButton.click();
    await viewer.waitForSelector('#view-room:not([hidden])');
    await viewer.waitForFunction(() => document.body.dataset.im === 'online');
    // Every gift shows a picture (the seed CDN is unreachable here: the local fallback stands in).
    await viewer.waitForFunction(() =>
      Array.from(document.querySelectorAll('#gift-panel img')).every(
        (img) => (img as HTMLImageElement).naturalWidth > 0,
      ),
    );

    await viewer.click('#open-recharge');
    await viewer.locator('#products button').first().click();
    await viewer.waitForFunction(() => Number(document.getElementById('balance')!.textContent) > 0);
    const before = Number(await viewer.textContent('#balance'));

    const giftButton = viewer.locator('#gift-panel button').first();
    const giftId = Number(await giftButton.getAttribute('data-gift-id'));
    const price = Number((await giftButton.locator('.price').textContent())!.replace(/\D/g, ''));
    for (let i = 0; i < 3; i++) {
      await Promise.all([
        viewer.waitForResponse((r) => r.url().endsWith('/gift/send') && r.status() === 200),
        giftButton.click(),
      ]);
    }

    for (const page of [anchor, viewer]) {
      await page.waitForFunction(() => document.querySelectorAll('#feed li').length >= 3, undefined, {
        timeout: 20_000,
      });
      await page.waitForFunction(
        (score) =>
          Array.from(document.querySelectorAll('#board li')).some((li) => li.textContent!.includes(String(score))),
        3 * price,
        { timeout: 20_000 },
      );
    }
    await viewer.waitForFunction(
      (want) => Number(document.getElementById('balance')!.textContent) === want,
      before - 3 * price,
      { timeout: 20_000 },
    );
    expect(Number(await viewer.textContent('#balance'))).toBe(before - 3 * price);
    const effects = await anchor.locator(`#effects .effect[data-gift-id="${giftId}"]`).count();
    expect(effects).toBeGreaterThanOrEqual(1);
    expect(await anchor.locator('#feed li').first().textContent()).toMatch(/x3|sent/);

    await anchor.screenshot({ path: join(OUT, 'anchor.png') });
    await viewer.screenshot({ path: join(OUT, 'viewer.png') });
  });
});
