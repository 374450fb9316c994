/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, Request } from 'playwright-core';
import { chromiumFor, launchChromium, loginPage, sessionToken } from './support/browser';
import { HttpClient } from './support/http-client';
import { seedGift } from './support/seed-gift';
import { startTestStack, TestStack } from './support/test-stack';

/**
 * Issue 19, the web client's anchor money side, in Chromium: an anchor page and a viewer page in one room.
 * The viewer's gifts update the anchor's earnings panel without a reload (coalesced reads, never two at
 * once) and its figures are /bank/earnings'; the History tab pages the gifts received and sent and the
 * ledger; the Withdraw form checks the amount before asking, and (second test, needs the withdrawal routes
 * of SPEC-19: POST /bank/withdraw, /bank/withdrawals) makes an order exactly once, retrying a lost answer
 * with the same Idempotency-Key. EARNINGS_HOLD_DAYS is 0 here: everything earned is withdrawable.
 * Screenshots go to test-output/web-client; SCREENSHOTS_DIR=docs/screenshots refreshes the committed ones the
 * README links (a test run never rewrites tracked files).
 */
const chromiumPath = chromiumFor('web-client-anchor');
const SHOTS = process.env.SCREENSHOTS_DIR || join('test-output', 'web-client');

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ROSE = seedGift('Rose');
const APPLAUSE = seedGift('Applause');
const CROWN = seedGift('Crown');
const FIGURES = ['earnings', 'withdrawable', 'pending', 'today'] as const;

/** The figures the anchor's panel shows (its raw numbers, data-value). */
const shownFigures = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(
    (fields) => {
      const out: Record<string, number> = {};
      for (const f of fields) out[f] = Number(document.getElementById(`earn-${f}`)!.dataset.value);
      return out;
    },
    FIGURES as unknown as string[],
  );

/**
 * Text below WCAG AA contrast inside `selector` (4.5:1, 3:1 for large text), against the first opaque
 * background up the tree; visible, enabled elements with text of their own. Empty when all pass.
 */
const contrastFailures = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate((sel) => {
    const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]): number => {
      const ch = (v: number): number => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const failures: string[] = [];
    for (const el of Array.from(document.querySelectorAll(`${sel}, ${sel} *`))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim());
      if (!own || !(el as HTMLElement).offsetParent || (el as HTMLButtonElement).disabled) continue;
      if (el.closest('.sr-only')) continue;
      const style = getComputedStyle(el);
      const [a, b] = [lum(rgb(style.color)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        failures.push(`${el.tagName}#${el.id} "${el.textContent!.trim()}" ${ratio.toFixed(2)}`);
    }
    return failures;
  }, selector);

describe('web client, the anchor money side (Chromium via playwright-core)', () => {
  let stack: TestStack;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startTestStack({
      realIm: true,
      env: { EARNINGS_HOLD_DAYS: '0', BANK_WITHDRAW_MIN: '10', BANK_WITHDRAW_FEE_BPS: '500' },
    });
    browser = await launchChromium(chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const userIdOf = async (page: Page): Promise<number> =>
    Number(await page.evaluate(() => localStorage.getItem('lg.userId')));
  /** The API as the page's user (its cookie's token), from here: what the page shows is compared with it. */
  const apiAs = async (page: Page): Promise<HttpClient> => new HttpClient(stack.baseUrl, await sessionToken(page));

  /** An anchor live in a new room (earnings panel up), a viewer in it with 300 coins. */
  async function anchorAndViewer(roomName: string) {
    const anchor = await loginPage(browser, stack.baseUrl, DESKTOP);
    // Counts the page's /bank/earnings reads and the most ever in flight; a reload would lose `loaded`.
    await anchor.evaluate(() => {
      const w = window as unknown as {
        earningsReads: { inFlight: number; max: number; total: number };
        loaded: boolean;
      };
      w.earningsReads = { inFlight: 0, max: 0, total: 0 };
      w.loaded = true;
      const original = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const mine = String(input).endsWith('/bank/earnings');
        const reads = w.earningsReads;
        if (mine) {
          reads.total += 1;
          reads.max = Math.max(reads.max, (reads.inFlight += 1));
        }
        try {
          return await original(input, init);
        } finally {
          if (mine) reads.inFlight -= 1;
        }
      };
    });
    await anchor.fill('#room-name', roomName);
    await anchor.click('#start-living');
    await anchor.waitForSelector('#view-room:not([hidden])');
    await anchor.waitForFunction(() => document.body.dataset.im === 'online');
    await anchor.waitForSelector('#earnings[data-state=live]');

    const viewer = await loginPage(browser, stack.baseUrl, DESKTOP);
    await viewer.click('#refresh-rooms');
    await viewer.locator('#rooms a', { hasText: roomName }).first().click();
    await viewer.waitForSelector('#view-room:not([hidden])');
    await viewer.waitForFunction(() => document.body.dataset.im === 'online');
    await viewer.click('#open-recharge');
    await viewer.locator('#products button', { hasText: '300 coins' }).click();
    await viewer.waitForFunction(() => Number(document.getElementById('balance')!.textContent) === 300);
    return { anchor, viewer, anchorId: await userIdOf(anchor), viewerId: await userIdOf(viewer) };
  }

  /** Clicks the gift's button `times` times, each send answered 200 (settled later, through Kafka). */
  async function sendGifts(viewer: Page, giftId: number, times: number): Promise<void> {
    const button = viewer.locator(`#gift-panel button[data-gift-id="${giftId}"]`);
    for (let i = 0; i < times; i++) {
      await Promise.all([
        viewer.waitForResponse((r) => r.url().endsWith('/gift/send') && r.status() === 200),
        button.click(),
      ]);
    }
  }

  const waitForEarnings = (anchor: Page, earnings: number): Promise<unknown> =>
    anchor.waitForFunction(
      (want) => document.getElementById('earn-earnings')!.dataset.value === String(want),
      earnings,
      {
        timeout: 30_000,
      },
    );

  it('the anchor sees its earnings update live as 22 gifts arrive, equal to /bank/earnings; the History tab pages the gifts and the ledger; the Withdraw form checks the amount before asking and words the refusals', async () => {
    const { anchor, viewer, anchorId, viewerId } = await anchorAndViewer('Anchor money');
    // The anchor's money is its earnings: no "Balance: 0" in its room, the panel instead (0 before any gift).
    expect(await anchor.isVisible('#earnings')).toBe(true);
    expect(await anchor.isVisible('#wallet')).toBe(false);
    expect(await anchor.getByText('Balance:').isVisible()).toBe(false);
    expect(await shownFigures(anchor)).toEqual({ earnings: 0, withdrawable: 0, pending: 0, today: 0 });
    expect(await viewer.isVisible('#earnings')).toBe(false);

    await sendGifts(viewer, APPLAUSE.id, 6);
    await sendGifts(viewer, CROWN.id, 1);
    await sendGifts(viewer, ROSE.id, 15);
    const total = 6 * APPLAUSE.price + CROWN.price + 15 * ROSE.price;
    await waitForEarnings(anchor, total);

    const api = (await apiAs(anchor)).post('/bank/earnings');
    const served = (await api).body.data;
    expect(await shownFigures(anchor)).toEqual({
      earnings: served.earnings,
      withdrawable: served.withdrawable,
      pending: served.pending,
      today: served.today,
    });
    expect(served).toMatchObject({ earnings: total, withdrawable: total, pending: 0, today: total });
    expect(await anchor.textContent('#earn-earnings')).toBe(String(total));
    const reads = await anchor.evaluate(
      () => (window as unknown as { earningsReads: { max: number; total: number }; loaded: boolean }).earningsReads,
    );
    expect(await anchor.evaluate(() => (window as unknown as { loaded?: boolean }).loaded)).toBe(true); // no reload
    expect(reads.max).toBe(1); // never two reads at once
    // Coalesced: at most the first read, one after the IM login and one per gift of the 22 (usually far fewer).
    expect(reads.total).toBeGreaterThanOrEqual(2);
    expect(reads.total).toBeLessThanOrEqual(2 + 22);
    expect(await contrastFailures(anchor, '#earnings')).toEqual([]);
    await anchor.screenshot({ path: join(SHOTS, 'anchor-earnings.png') });

    // History, by keyboard: the tabs take the arrow keys; the focused tab shows a focus ring.
    await anchor.focus('#tab-live');
    await anchor.keyboard.press('ArrowRight');
    expect(await anchor.getAttribute('#tab-history', 'aria-selected')).toBe('true');
    expect(await anchor.evaluate(() => document.activeElement!.id)).toBe('tab-history');
    expect(await anchor.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    expect(await anchor.isVisible('#panel-history')).toBe(true);
    expect(await anchor.isVisible('#earnings')).toBe(true); // still in sight, still live

    const received = anchor.locator('#hist-received tbody tr');
    await anchor.waitForFunction(() => document.querySelectorAll('#hist-received tbody tr').length === 20);
    await anchor.click('#hist-received .more');
    await anchor.waitForFunction(() => document.querySelectorAll('#hist-received tbody tr').length === 22);
    expect(await anchor.isVisible('#hist-received .more')).toBe(false); // nothing older
    const rows = await received.allTextContents();
    expect(rows.filter((r) => r.includes('Applause'))).toHaveLength(6);
    expect(rows.filter((r) => r.includes('Crown'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('Rose'))).toHaveLength(15);
    // The other side of each row is the viewer (shown by display name: data-other-id is its id).
    expect(
      await anchor.$$eval('#hist-received tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.otherId)),
    ).toEqual(rows.map(() => String(viewerId)));
    expect(rows[0]).toContain('Rose'); // newest first
    expect(await contrastFailures(anchor, '#panel-history')).toEqual([]);
    await anchor.evaluate(() => window.scrollTo(0, 0));
    await anchor.screenshot({ path: join(SHOTS, 'anchor-history.png') });

    await anchor.click('#hist-tab-ledger');
    await anchor.waitForFunction(() => document.querySelectorAll('#hist-ledger tbody tr').length === 20);
    await anchor.click('#hist-ledger .more');
    await anchor.waitForFunction(() => document.querySelectorAll('#hist-ledger tbody tr').length === 22);
    const ledger = await anchor.$$eval('#hist-ledger tbody tr', (trs) =>
      trs.map((tr) => [(tr as HTMLElement).dataset.direction, Number((tr as HTMLElement).dataset.counterpartyId)]),
    );
    expect(ledger.every(([direction, counterparty]) => direction === 'credit' && counterparty === viewerId)).toBe(true);
    expect(await anchor.locator('#hist-ledger tbody tr').first().textContent()).toContain(`In (credit)`);

    // The viewer's side: the gifts it sent, to the anchor.
    await viewer.click('#tab-history');
    await viewer.click('#hist-tab-sent');
    await viewer.waitForFunction(() => document.querySelectorAll('#hist-sent tbody tr').length === 20);
    expect(
      (await viewer.$$eval('#hist-sent tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.otherId))).every(
        (id) => id === String(anchorId),
      ),
    ).toBe(true);
    expect(await viewer.isVisible('#hist-sent .more')).toBe(true);

    // Withdraw: the form knows what is withdrawable and refuses what cannot be right without asking.
    const withdrawCalls: Request[] = [];
    anchor.on('request', (r) => r.url().endsWith('/bank/withdraw') && withdrawCalls.push(r));
    await anchor.click('#tab-withdraw');
    await anchor.waitForFunction(
      (want) => document.getElementById('wd-available')!.dataset.value === String(want),
      total,
    );
    const amount = anchor.getByLabel('Amount (coins)');
    await amount.fill(String(total + 1));
    await anchor.click('#wd-submit');
    const alert = anchor.locator('#withdraw-form [role=alert]');
    expect(await alert.textContent()).toBe(`You can withdraw at most ${total} coins now.`);
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    await amount.fill('0');
    await anchor.keyboard.press('Enter');
    expect(await alert.textContent()).toBe('The smallest withdrawal is 1 coin.');
    expect(withdrawCalls).toHaveLength(0);
    expect(await contrastFailures(anchor, '#withdraw-form')).toEqual([]);
    await anchor.hover('#wd-submit');
    expect(await contrastFailures(anchor, '#withdraw-form')).toEqual([]); // hovered too

    // The envelope codes in plain words. The answers are stubbed here (the page's mapping is under test;
    // freezing an account is another piece's admin route): 12009, then a withdrawal code with the server's
    // msg. A definite answer ends the attempt: the same amount again is a new intent with a new key.
    const stubbed: { code: number; msg: string; status: number }[] = [
      { code: 12009, msg: 'the account is frozen', status: 403 },
      { code: 12012, msg: '10 is more than the 0 withdrawable now', status: 402 },
    ];
    const stubKeys: string[] = [];
    await anchor.route('**/bank/withdraw', (route) => {
      stubKeys.push(route.request().headers()['idempotency-key']);
      const { code, msg, status } = stubbed[stubKeys.length - 1];
      return route.fulfill({
        status,
        contentType: 'application/json',
        body: JSON.stringify({ code, msg, data: null }),
      });
    });
    await amount.fill('10');
    await anchor.click('#wd-submit');
    await anchor.waitForFunction(() => /frozen/.test(document.getElementById('wd-error')!.textContent!));
    expect(await alert.textContent()).toBe(
      'Your account is frozen, so nothing can be withdrawn. Please contact support.',
    );
    await anchor.click('#wd-submit');
    await anchor.waitForFunction(() => /^Withdrawal refused/.test(document.getElementById('wd-error')!.textContent!));
    expect(await alert.textContent()).toBe('Withdrawal refused: 10 is more than the 0 withdrawable now.');
    expect(stubKeys).toHaveLength(2);
    expect(stubKeys[1]).not.toBe(stubKeys[0]);
    await anchor.unroute('**/bank/withdraw');
    await amount.fill('');

    // Phone: the earnings panel first, the tabs below it.
    await anchor.setViewportSize(PHONE);
    await anchor.click('#tab-live');
    await anchor.screenshot({ path: join(SHOTS, 'anchor-phone.png') });
  });

  it('the Withdraw form makes one order per intended withdrawal (a lost answer retried with the same Idempotency-Key), shows the server refusal in plain words and lists the orders [needs SPEC-19 withdrawals]', async () => {
    const { anchor, viewer } = await anchorAndViewer('Anchor withdraws');
    await sendGifts(viewer, CROWN.id, 3);
    const total = 3 * CROWN.price;
    await waitForEarnings(anchor, total);
    await anchor.click('#tab-withdraw');
    await anchor.waitForFunction(
      (want) => document.getElementById('wd-available')!.dataset.value === String(want),
      total,
    );
    await anchor.waitForSelector('#wd-orders[data-loaded=true]');
    expect(await anchor.isVisible('#wd-orders .empty')).toBe(true);
    const amount = anchor.getByLabel('Amount (coins)');
    const alert = anchor.locator('#withdraw-form [role=alert]');

    // Below BANK_WITHDRAW_MIN (10 here; the page only knows 1): the server's refusal, in plain words.
    await amount.fill('5');
    await Promise.all([anchor.waitForResponse((r) => r.url().endsWith('/bank/withdraw')), anchor.click('#wd-submit')]);
    await anchor.waitForSelector('#wd-error:not([hidden])');
    expect(await alert.textContent()).toMatch(/^Withdrawal refused: .*(minimum|smallest).*\.$/);

    // The answer to the first try is lost (the server made the order): pressing Withdraw again for the same
    // amount retries the same request, and gets the same order back.
    const keys: string[] = [];
    let firstOrder: { withdrawalId: number } | undefined;
    let disabledInFlight: boolean | undefined;
    let resubmitSent = false;
    await anchor.route('**/bank/withdraw', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (keys.length > 1) return route.continue();
      disabledInFlight = await anchor.evaluate(
        () => (document.getElementById('wd-submit') as HTMLButtonElement).disabled,
      );
      // A second submit while the first is in flight sends nothing.
      await anchor.evaluate(() => (document.getElementById('withdraw-form') as HTMLFormElement).requestSubmit());
      resubmitSent = keys.length > 1;
      const served = await route.fetch();
      firstOrder = ((await served.json()) as { data: { withdrawalId: number } }).data;
      await route.abort('connectionreset');
    });
    await amount.fill('100');
    await anchor.click('#wd-submit');
    await anchor.waitForFunction(() => /may or may not/.test(document.getElementById('wd-error')!.textContent!));
    expect(disabledInFlight).toBe(true);
    expect(resubmitSent).toBe(false);
    expect(firstOrder?.withdrawalId).toBeDefined();
    // The page read its earnings again: the order is there, 100 is more than withdrawable now. The retry of
    // the same attempt is not held to that figure (it would never get its answer otherwise).
    await waitForEarnings(anchor, total - 100);
    await anchor.click('#wd-submit');
    await anchor.waitForSelector('#wd-ok:not([hidden])');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_.-]{1,40}$/);
    expect(await anchor.textContent('#wd-ok')).toContain(
      `Withdrawal ${firstOrder!.withdrawalId} requested: 100 coins, fee 5, you get 95.`,
    );
    expect(await anchor.isVisible('#wd-error')).toBe(false);

    await anchor.waitForFunction(() => document.querySelectorAll('#wd-orders tbody tr').length === 1);
    const row = anchor.locator('#wd-orders tbody tr').first();
    expect(await row.getAttribute('data-withdrawal-id')).toBe(String(firstOrder!.withdrawalId));
    expect(await row.getAttribute('data-status')).toBe('requested');
    expect(await row.locator('td').allTextContents()).toEqual([
      expect.any(String),
      '100',
      '5',
      '95',
      'Requested (in review)',
      '—',
    ]);
    await waitForEarnings(anchor, total - 100);
    const served = (await (await apiAs(anchor)).post('/bank/earnings')).body.data;
    expect(await shownFigures(anchor)).toMatchObject({ earnings: served.earnings, withdrawable: served.withdrawable });
    expect(served.withdrawable).toBe(total - 100);

    // Another withdrawal is another intent: a fresh key, a second order, newest first.
    await amount.fill('20');
    await anchor.click('#wd-submit');
    await anchor.waitForFunction(() => document.querySelectorAll('#wd-orders tbody tr').length === 2);
    expect(keys).toHaveLength(3);
    expect(keys[2]).not.toBe(keys[0]);
    expect(await anchor.locator('#wd-orders tbody tr').first().locator('td').nth(1).textContent()).toBe('20');
    await waitForEarnings(anchor, total - 120);
    expect(await contrastFailures(anchor, '#panel-withdraw')).toEqual([]);
    await anchor.unroute('**/bank/withdraw');
    await anchor.mouse.move(0, 0); // no hover state in the picture
    await anchor.screenshot({ path: join(SHOTS, 'anchor-withdraw.png') });
  });
});
