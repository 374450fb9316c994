/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { chromiumFor, cspViolations, launchChromium, loginPage as newUserPage } from './support/browser';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser } from './support/test-users';

const chromiumPath = chromiumFor('web-client');
const OUT = join('test-output', 'web-client');

describe('web client in a real browser (Chromium via playwright-core): anchor and viewer', () => {
  let stack: TestStack;
  let browser: Browser;
  const loginPage = (): Promise<Page> => newUserPage(browser, stack.baseUrl);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    stack = await startTestStack({ realIm: true });
    browser = await launchChromium(chromiumPath);
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
    const foreign: string[] = [];
    viewer.on(
      'request',
      (r) => !r.url().startsWith(stack.baseUrl) && !r.url().startsWith('ws') && foreign.push(r.url()),
    );
    await viewer.click('#refresh-rooms');
    const roomButton = viewer.locator('#rooms a', { hasText: 'Playwright live' }).first();
    await roomButton.click();
    await viewer.waitForSelector('#view-room:not([hidden])');
    await viewer.waitForFunction(() => document.body.dataset.im === 'online');
    // Every gift shows a picture, served by the gateway (no request leaves for another host).
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
      // One activity line for the three in a row, its count going up.
      await page.waitForFunction(() => document.querySelector('#feed li .n')?.textContent === 'x3', undefined, {
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
    expect(await anchor.locator('#feed li').count()).toBe(1);
    expect(await anchor.locator('#feed li').first().textContent()).toMatch(new RegExp(`sent .+ x3$`));
    expect(await anchor.locator(`#feed li[data-key$=":${giftId}"]`).count()).toBe(1);
    // The gift pictures are the gateway's: every image request went to the page's own origin.
    expect(foreign).toEqual([]);

    await anchor.screenshot({ path: join(OUT, 'anchor.png') });
    await viewer.screenshot({ path: join(OUT, 'viewer.png') });
  });

  it('every answer carries the security headers: the page, its scripts, styles and pictures, the API, a 404', async () => {
    const page = await newUserPage(browser, stack.baseUrl);
    // connect-src: this origin, GATEWAY_IM_WS_URL's (handed out while no node is registered) and the stack's
    // im-core node's (GATEWAY_WEB_WS_ORIGINS: another port), nothing else; no inline script or style.
    const fallback = new URL(process.env.GATEWAY_IM_WS_URL ?? 'ws://127.0.0.1:8090/ws').origin;
    const csp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
      `connect-src 'self' ${fallback} ${new URL(stack.wsUrl!).origin}; object-src 'none'; frame-ancestors 'none'; ` +
      "base-uri 'none'; form-action 'self'";
    const answers = [
      await fetch(`${stack.baseUrl}/`),
      await fetch(`${stack.baseUrl}/app.js`),
      await fetch(`${stack.baseUrl}/style.css`),
      await fetch(`${stack.baseUrl}/favicon.svg`),
      await fetch(`${stack.baseUrl}/assets/gifts/gift.svg`),
      await fetch(`${stack.baseUrl}/no-such-file.html`),
      await fetch(`${stack.baseUrl}/gift/listGift`, { method: 'POST' }),
      await fetch(`${stack.baseUrl}/health`),
    ];
    for (const res of answers) {
      const headers = Object.fromEntries(
        ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy'].map((h) => [
          h,
          res.headers.get(h),
        ]),
      );
      expect([res.url, headers]).toEqual([
        res.url,
        {
          'content-security-policy': csp,
          'x-frame-options': 'DENY',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        },
      ]);
    }
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 401, 200]);
    // Under it the page works (the test above: login, a room, IM, recharge, gifts, pictures) and is refused nothing;
    // so does /docs (Swagger UI: its inline styles allowed there).
    await page.goto(`${stack.baseUrl}/docs`);
    await page.waitForSelector('.swagger-ui .opblock', { timeout: 20_000 });
    expect(cspViolations).toEqual([]);
    await page.context().close();
  });

  it("a qytk cookie another port's page planted (Path=/bank, sent first) does not turn the page's recharge into another user's", async () => {
    const http = new HttpClient(stack.baseUrl);
    const anchor = await loginNewUser(http);
    await anchor.client.post('/living/startingLiving', { type: 0, roomName: 'Tossing test' });
    const attacker = await loginNewUser(http);
    const victim = await loginPage();
    await victim.click('#refresh-rooms');
    await victim.locator('#rooms a', { hasText: 'Tossing test' }).first().click();
    await victim.waitForSelector('#view-room:not([hidden])');
    // What a page of http://127.0.0.1:<another port> can do: cookies ignore ports.
    await victim.context().addCookies([
      {
        name: 'qytk',
        value: attacker.client.token!,
        domain: '127.0.0.1',
        path: '/bank',
        httpOnly: false,
        sameSite: 'Lax',
      },
    ]);
    await victim.click('#open-recharge');
    await victim.locator('#products button').first().click();
    await victim.waitForFunction(() => Number(document.getElementById('balance')!.textContent) > 0);
    const owners = await stack.sql<{ user_id: string }>('SELECT user_id FROM t_pay_order WHERE user_id IN (?, ?)', [
      await victim.evaluate(() => Number(localStorage.getItem('lg.userId'))),
      attacker.userId,
    ]);
    expect(owners.map((o) => Number(o.user_id))).toEqual([
      await victim.evaluate(() => Number(localStorage.getItem('lg.userId'))),
    ]);
    expect(await attacker.client.balance()).toBe(0);
    await victim.context().close();
  });
});
