/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, WebSocketRoute } from 'playwright-core';
import { axeViolations, chromiumFor, DESKTOP, launchChromium, loginPage, PHONE } from './support/browser';
import { seedGift } from './support/seed-gift';
import { startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/**
 * Issue 21, a PK battle end to end in Chromium against the real stack (im-core and im-router included): the
 * anchor opens a PK room (startingLiving type 1), a second user takes the challenger seat from their page
 * (Challenge: /living/onlinePK), a viewer sends gifts to both sides with the side picker and the bar moves the
 * same way on every page (the rule of PK-DESIGN: step = min(10, ceil(price x count / 10)), toward 100 for
 * the anchor, toward 0 for the challenger), a phone that joins mid-PK gets the current bar, a repeated and an
 * older 5558 fed into the viewer's socket never move it back; the bar reaches 0 (Rockets and a dear Sports
 * car): the challenger wins, the banner names them on the viewer's page with the reason; then a second PK
 * ends by the challenger leaving (Leave PK: /living/offlinePK): the anchor wins; a third ends when the
 * challenger's page closes (their IM session ends: reason session): the anchor wins. axe-core finds no violation
 * in the PK panel. Screenshots: test-output/web-client-pk; SCREENSHOTS_DIR=docs/screenshots refreshes the
 * README's (pk-running, pk-winner, pk-phone).
 */
const chromiumPath = chromiumFor('web-client-pk');
const OUT = join('test-output', 'web-client-pk');
const DOCS = process.env.SCREENSHOTS_DIR;
const HEART = seedGift('Heart'); // 5 coins: 1 point
const CROWN = seedGift('Crown'); // 52 coins: 6 points
const ROCKET = seedGift('Rocket'); // 199 coins: 10 points (the largest step)
const SPORTS_CAR = seedGift('Sports car'); // 520 coins: a dear gift (asks first), 10 points
const ROOM = 'Issue 21 PK night';

/** The rule of PK-DESIGN: the points one charged send moves the bar by. */
const stepOf = (price: number, count = 1): number => Math.min(10, Math.ceil((price * count) / 10));

describe('web client, a PK battle (issue 21; Chromium via playwright-core, real stack)', () => {
  let stack: TestStack;
  let browser: Browser;
  let anchor: Page;
  let challenger: Page;
  /** The desktop viewer; its socket passes through a route the test can also send frames on. */
  let viewer: Page;
  let viewerSocket: WebSocketRoute | undefined;
  /** The msgIds of the test's own frames the viewer page acknowledged (it acks a frame as it handles it). */
  const ownAcks: string[] = [];
  let pages: Page[];
  let roomId: number;
  let anchorId: number;
  let challengerId: number;
  let firstPkId: string;

  const userIdOf = async (page: Page): Promise<number> =>
    Number(await page.evaluate(() => localStorage.getItem('lg.userId')));
  /** The name a page shows for its own user (its header), once the profile is read. */
  const ownName = async (page: Page): Promise<string> => {
    await page.waitForFunction(() => !/^user \d+$/.test(document.getElementById('who')!.textContent ?? ''));
    return (await page.textContent('#who'))!;
  };
  const barOf = async (page: Page): Promise<number> => Number(await page.getAttribute('#pk-bar', 'aria-valuenow'));

  /** Every page shows the bar at `want`, in the state `state`. */
  async function barEverywhere(want: number, state: 'idle' | 'running' | 'ended', on = pages): Promise<void> {
    for (const page of on)
      await page.waitForFunction(
        ({ want, state }) =>
          document.getElementById('pk')!.dataset.state === state &&
          document.getElementById('pk-bar')!.getAttribute('aria-valuenow') === String(want),
        { want, state },
        { timeout: 20_000 },
      );
  }

  /** The winner banner on `page` names the winner (as the winner's own page shows their name) and the reason. */
  async function winnerBanner(page: Page, winner: Page, winnerId: number, reason: string): Promise<void> {
    const name = await ownName(winner);
    await page.waitForSelector('#pk-result:not([hidden])');
    await page.waitForFunction(
      (name) => document.getElementById('pk-result-text')!.textContent === `PK over: ${name} wins`,
      name,
    );
    expect(await page.getAttribute('#pk-result', 'data-winner-id')).toBe(String(winnerId));
    expect(await page.textContent('#pk-result-reason')).toBe(reason);
  }

  async function shot(page: Page, name: string, key = false): Promise<void> {
    await page.screenshot({ path: join(OUT, `${name}.png`), animations: 'disabled' });
    if (key && DOCS) await page.screenshot({ path: join(DOCS, `${name}.png`), animations: 'disabled' });
  }

  async function enterRoom(page: Page): Promise<void> {
    await page.click('#refresh-rooms');
    await page.locator('#rooms a[data-type=pk]', { hasText: ROOM }).first().click();
    await page.waitForSelector('#view-room:not([hidden])');
    await page.waitForSelector('#pk:not([hidden])');
    await page.waitForFunction(() => document.body.dataset.im === 'online');
  }

  /** One gift to a side, picked in the side picker; answers the receiverId the request carried. */
  async function send(page: Page, giftId: number, to: 'anchor' | 'challenger', dear = false): Promise<number> {
    await page.check(`input[name=pk-to][value=${to}]`);
    const answered = page.waitForResponse((r) => r.url().endsWith('/gift/send') && r.status() === 200);
    await page.click(`#gift-panel button[data-gift-id="${giftId}"]`);
    if (dear) await page.click('#confirm-ok');
    const res = await answered;
    return (JSON.parse(res.request().postData()!) as { receiverId: number }).receiverId;
  }

  /** /living/pkState as the page's user (the route is not in the generated API types yet). */
  const pkState = (page: Page): Promise<Record<string, unknown>> =>
    page.evaluate(async (roomId) => {
      const res = await fetch('/living/pkState', {
        method: 'POST',
        headers: { 'content-type': 'application/json' }, // the page's own cookie: a fetch of its origin sends it
        body: JSON.stringify({ roomId }),
      });
      return ((await res.json()) as { data: Record<string, unknown> }).data;
    }, roomId);

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    if (DOCS) mkdirSync(DOCS, { recursive: true });
    stack = await startTestStack({ realIm: true });
    browser = await launchChromium(chromiumPath);

    anchor = await loginPage(browser, stack.baseUrl, DESKTOP);
    await anchor.fill('#room-name', ROOM);
    await anchor.check('#room-pk');
    await anchor.click('#start-living');
    await anchor.waitForSelector('#view-room:not([hidden])');
    await anchor.waitForFunction(() => document.body.dataset.im === 'online');
    roomId = Number(/#\/room\/(\d+)/.exec(anchor.url())![1]);
    anchorId = await userIdOf(anchor);

    challenger = await loginPage(browser, stack.baseUrl, DESKTOP);
    challengerId = await userIdOf(challenger);
    await enterRoom(challenger);

    viewer = await loginPage(browser, stack.baseUrl, DESKTOP);
    await viewer.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      viewerSocket = ws;
      const server = ws.connectToServer();
      // The page's frames go on to im-core, but for its acks of the test's own frames (im-core never sent them).
      ws.onMessage((message) => {
        const own = /"msgId":"(test-[^"]+)"/.exec(String(message));
        if (own) ownAcks.push(own[1]);
        else server.send(message);
      });
    });
    await enterRoom(viewer);
    pages = [anchor, challenger, viewer];
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('a PK room (type 1) shows the panel at 50 with no challenger; the anchor has no Challenge button', async () => {
    await barEverywhere(50, 'idle');
    for (const page of pages) expect(await page.getAttribute('#pk-bar', 'role')).toBe('progressbar');
    expect(await anchor.isVisible('#pk-challenge')).toBe(false);
    expect(await viewer.isVisible('#pk-challenge')).toBe(true);
    expect(await viewer.isVisible('#pk-to')).toBe(false); // no PK running: gifts go to the anchor
  });

  it('the second user takes the challenger seat: every page shows them on the right, the countdown runs', async () => {
    const [res] = await Promise.all([
      challenger.waitForResponse((r) => r.url().endsWith('/living/onlinePK')),
      challenger.click('#pk-challenge'),
    ]);
    expect(res.status()).toBe(200);
    const name = await ownName(challenger);
    await barEverywhere(50, 'running');
    for (const page of pages) {
      await page.waitForFunction((name) => document.getElementById('pk-challenger-name')!.textContent === name, name, {
        timeout: 20_000,
      });
      expect(await page.textContent('#pk-clock')).toMatch(/^\d+:\d\d left$/);
    }
    firstPkId = (await viewer.getAttribute('#pk', 'data-pk-id'))!;
    expect(firstPkId).toMatch(new RegExp(`^pk-${roomId}-\\d+$`));
    expect(await challenger.isVisible('#pk-leave')).toBe(true);
    expect(await challenger.isDisabled('input[name=pk-to][value=challenger]')).toBe(true); // not to oneself
    expect(await viewer.isVisible('#pk-to')).toBe(true);
    expect(await viewer.isVisible('#pk-challenge')).toBe(false); // the seat is taken
  });

  it('gifts to either side move the bar the same way on every page; a late phone gets the current bar', async () => {
    await viewer.click('#open-recharge');
    await viewer.locator('#products button', { hasText: '1,980 coins' }).click();
    await viewer.waitForFunction(() => Number(document.getElementById('balance')!.textContent) >= 1980);

    expect(await send(viewer, HEART.id, 'anchor')).toBe(anchorId);
    const afterHeart = 50 + stepOf(HEART.price);
    await barEverywhere(afterHeart, 'running'); // toward the anchor: up
    expect(await send(viewer, CROWN.id, 'challenger')).toBe(challengerId);
    const afterCrown = afterHeart - stepOf(CROWN.price);
    await barEverywhere(afterCrown, 'running'); // toward the challenger: down
    expect(await viewer.textContent('#pk-anchor-share')).toBe(`${afterCrown}%`);
    expect(await viewer.textContent('#pk-challenger-share')).toBe(`${100 - afterCrown}%`);
    // The activity list says which gift went to the challenger.
    // (The Activity tab is not the one shown: its line is in the page, not visible.)
    const toChallenger = await anchor.waitForSelector(
      `#feed li[data-key="${await userIdOf(viewer)}:to${challengerId}:${CROWN.id}"]`,
      { state: 'attached' },
    );
    expect(await toChallenger.textContent()).toMatch(/ to /);

    // A repeated 5558 (the same seq) and an older one, fed into the viewer's socket: the bar stays.
    const seq = Number(await viewer.getAttribute('#pk', 'data-seq'));
    for (const [s, progress] of [
      [seq, 90],
      [seq - 1, 10],
    ])
      viewerSocket!.send(
        JSON.stringify({
          magic: 18673,
          code: 1003,
          body: { msgId: `test-${s}`, bizCode: 5558, data: { pkId: firstPkId, progress, seq: s, requestId: 'x' } },
        }),
      );
    // The page acks a frame in the same turn as it handles it: both acked, both handled.
    await waitFor('the viewer page to ack the test frames', () => ownAcks.length === 2, 20_000);
    expect(await barOf(viewer)).toBe(afterCrown);

    const phone = await loginPage(browser, stack.baseUrl, PHONE);
    await enterRoom(phone);
    await barEverywhere(afterCrown, 'running', [phone]);
    await shot(phone, 'pk-phone', true);
    await phone.context().close();
    await shot(viewer, 'pk-running', true);
  });

  it('axe-core (WCAG 2 A/AA) finds no violation in the PK panel and the side picker', async () => {
    expect(await axeViolations(viewer, ['#pk', '#pk-to'])).toEqual([]);
  });

  it('the bar reaches 0 (Rockets, then a dear Sports car): the challenger wins; the banner names them on the viewer page', async () => {
    let expected = await barOf(viewer);
    while (expected - stepOf(ROCKET.price) > 0) {
      expect(await send(viewer, ROCKET.id, 'challenger')).toBe(challengerId);
      expected -= stepOf(ROCKET.price);
      await barEverywhere(expected, 'running');
    }
    expect(await send(viewer, SPORTS_CAR.id, 'challenger', true)).toBe(challengerId);
    await barEverywhere(0, 'ended');

    await winnerBanner(viewer, challenger, challengerId, 'The bar reached the end.');
    expect(await viewer.getAttribute('#pk-bar', 'aria-valuetext')).toMatch(/ 0%, .+ 100% \(final\)$/);
    expect(await viewer.isVisible('#pk-to')).toBe(false);
    await challenger.waitForFunction(
      () => document.getElementById('pk-result-text')!.textContent === 'PK over: you win!',
    );
    await anchor.waitForSelector('#pk-result:not([hidden])');
    await shot(viewer, 'pk-winner', true);
    expect(await pkState(viewer)).toMatchObject({
      pkId: firstPkId,
      winnerId: challengerId,
      endReason: 'bound',
      progress: 0,
    });

    await viewer.click('#pk-result-close');
    expect(await viewer.isVisible('#pk-result')).toBe(false);
  });

  it('a second PK ends by the challenger leaving: the anchor wins', async () => {
    await challenger.waitForSelector('#pk-challenge:not([hidden])');
    await challenger.click('#pk-challenge');
    await barEverywhere(50, 'running');
    const secondPkId = (await viewer.getAttribute('#pk', 'data-pk-id'))!;
    expect(secondPkId).not.toBe(firstPkId);
    expect(await viewer.isVisible('#pk-result')).toBe(false);

    expect(await send(viewer, HEART.id, 'anchor')).toBe(anchorId);
    await barEverywhere(50 + stepOf(HEART.price), 'running');

    await challenger.click('#pk-leave');
    const [res] = await Promise.all([
      challenger.waitForResponse((r) => r.url().endsWith('/living/offlinePK')),
      challenger.click('#confirm-ok'),
    ]);
    expect(res.status()).toBe(200);
    await barEverywhere(50 + stepOf(HEART.price), 'ended');

    await winnerBanner(viewer, anchor, anchorId, 'The challenger left the PK.');
    expect(await pkState(viewer)).toMatchObject({ pkId: secondPkId, winnerId: anchorId, endReason: 'offline' });
  });

  it("a third PK ends when the challenger's page closes (their IM session ends): the anchor wins", async () => {
    await challenger.click('#pk-challenge');
    await barEverywhere(50, 'running');
    const thirdPkId = (await viewer.getAttribute('#pk', 'data-pk-id'))!;
    await challenger.context().close(); // its only socket closes: im-core tells gift-service the session ended
    await barEverywhere(50, 'ended', [anchor, viewer]);
    await winnerBanner(viewer, anchor, anchorId, "The challenger's connection ended.");
    expect(await pkState(viewer)).toMatchObject({ pkId: thirdPkId, winnerId: anchorId, endReason: 'session' });
  });
});
