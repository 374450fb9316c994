/// <reference lib="dom" />
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Browser, BrowserContext, Page, Route, WebSocketRoute } from 'playwright-core';
import { axeViolations, chromiumFor, DESKTOP, launchChromium } from './support/browser';

/**
 * Issue 21, the web client's PK panel on its own, in Chromium: the page is served from apps/web-client/public
 * and every HTTP route it calls and its WebSocket are answered by the test (no stack), to the contract of
 * PK-DESIGN (pkState, 5558/5559/5561). The test feeds the push handler synthetic frames: reordered and
 * repeated 5558s never move the bar back, a snapshot is a full state, an ended PK is never revived by a late
 * push, a new PK with a lower seq (the server lost the room's PK state) replaces the one shown, the winner
 * banner (a draw too) and its reason, the side picker's receiverId, the Challenge errors in words, and an
 * axe-core scan of the panel. test/web-client-pk.e2e-spec.ts drives the same against the real stack. After
 * every frame the test waits until the page has handled it (its body's data-pk-frames), never a fixed time,
 * so a check that a frame changed nothing is not vacuous. Screenshots: test-output/web-client-pk-frames
 * (SCREENSHOTS_DIR=docs/screenshots: pk-frames-running.png, pk-frames-winner.png, linked from the README).
 */
const chromiumPath = chromiumFor('web-client-pk-frames');
const OUT = join('test-output', 'web-client-pk-frames');
const DOCS = process.env.SCREENSHOTS_DIR;
const PUBLIC = resolve('apps/web-client/public');

const ORIGIN = 'http://pk.test';
const ROOM = 7;
const ANCHOR = 100;
const CHALLENGER = 200;
const ME = 300;
const NAMES: Record<number, string> = { [ANCHOR]: 'Anna', [CHALLENGER]: 'Bob', [ME]: 'Vera' };
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

interface Envelope {
  code: number;
  msg: string;
  data: unknown;
}
const ok = (data: unknown): Envelope => ({ code: 200, msg: 'ok', data });

describe('web client, the PK panel fed synthetic frames (issue 21; Chromium, no server)', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let socket: WebSocketRoute | undefined;
  let msgSeq = 0;
  /** What the test answers per route (the others: 404, as a gateway without them). */
  type Answer = { status: number; body: Envelope };
  const answers = new Map<string, () => Answer | Promise<Answer>>();
  const sends: { receiverId: number; giftId: number }[] = [];

  /** One 1003 frame into the page's socket (the caller waits for what the page does with it). */
  const send = (bizCode: number, data: object): void =>
    socket!.send(JSON.stringify({ magic: 18673, code: 1003, body: { msgId: `m${(msgSeq += 1)}`, bizCode, data } }));
  /** PK pushes the page has handled, applied or ignored (its body's data-pk-frames). */
  const pkFrames = (): Promise<number> => page.evaluate(() => Number(document.body.dataset.pkFrames ?? 0));
  /**
   * A PK push (5558/5559/5561), then waits until the page has handled it: the checks after it see its effect,
   * or that it had none, whatever the machine's speed.
   */
  const push = async (bizCode: number, data: object): Promise<void> => {
    const handled = await pkFrames();
    send(bizCode, data);
    await page.waitForFunction((n) => Number(document.body.dataset.pkFrames ?? 0) > n, handled);
  };
  const progress = (seq: number, value: number, extra: object = {}) =>
    push(5558, {
      pkId: `pk-${ROOM}-3`,
      progress: value,
      seq,
      requestId: `r${seq}`,
      step: 1,
      anchorId: ANCHOR,
      challengerId: CHALLENGER,
      endsAt: Date.now() + 120_000,
      ...extra,
    });
  /** 5559: a challenger took the seat of PK `pk-<room>-<n>` (seq n, even bar, ending at `endsAt`: 5 min). */
  const online = (n: number, challengerId: number, endsAt = Date.now() + 300_000) =>
    push(5559, {
      pkId: `pk-${ROOM}-${n}`,
      challengerId,
      online: true,
      seq: n,
      progress: 50,
      endsAt,
      anchorId: ANCHOR,
    });
  /** 5561: PK `pk-<room>-<n>` ended at `seq`. */
  const ended = (n: number, seq: number, end: { winnerId: number; reason: string; progress: number }) =>
    push(5561, { pkId: `pk-${ROOM}-${n}`, seq, anchorId: ANCHOR, challengerId: CHALLENGER, ...end });
  /** pkState answers PK `pk-<room>-<n>` running (seq n, even), `ms` left. */
  const answerPkState = (n: number, challengerId: number, ms: number): void =>
    void answers.set('/living/pkState', () => ({
      status: 200,
      body: ok({
        pkId: `pk-${ROOM}-${n}`,
        anchorId: ANCHOR,
        challengerId,
        progress: 50,
        seq: n,
        endsAt: Date.now() + ms,
        winnerId: null,
        endReason: '',
      }),
    }));
  const bar = async (): Promise<{ now: number; state: string; text: string }> => ({
    now: Number(await page.getAttribute('#pk-bar', 'aria-valuenow')),
    state: (await page.getAttribute('#pk', 'data-state'))!,
    text: (await page.getAttribute('#pk-bar', 'aria-valuetext'))!,
  });

  /** A screenshot (animations finished) to OUT, and as `pk-frames-<name>.png` to SCREENSHOTS_DIR when set. */
  async function shot(name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, `${name}.png`), animations: 'disabled' });
    if (DOCS) await page.screenshot({ path: join(DOCS, `pk-frames-${name}.png`), animations: 'disabled' });
  }

  async function serve(route: Route): Promise<void> {
    const url = new URL(route.request().url());
    if (route.request().method() === 'GET') {
      const file = join(PUBLIC, url.pathname === '/' ? 'index.html' : url.pathname);
      if (!file.startsWith(PUBLIC) || !existsSync(file)) return route.fulfill({ status: 404, body: 'no' });
      return route.fulfill({ body: readFileSync(file), contentType: TYPES[extname(file)] ?? 'text/plain' });
    }
    const answer = answers.get(url.pathname);
    const { status, body } = answer
      ? await answer()
      : { status: 404, body: { code: 100004, msg: `Cannot POST ${url.pathname}`, data: null } };
    if (url.pathname === '/gift/send') sends.push(JSON.parse(route.request().postData() ?? '{}'));
    return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    if (DOCS) mkdirSync(DOCS, { recursive: true });
    browser = await launchChromium(chromiumPath);
    answers.set('/living/anchorConfig', () => ({
      status: 200,
      body: ok({
        roomId: ROOM,
        anchorId: ANCHOR,
        roomName: 'PK night',
        type: 1,
        coverImg: null,
        startTime: Date.now(),
        anchorNickName: NAMES[ANCHOR],
        anchorAvatar: null,
        isAnchor: false,
        status: 1,
        onlineCount: 3,
      }),
    }));
    answers.set('/gift/listGift', () => ({
      status: 200,
      body: ok([
        { giftId: 2, giftName: 'Heart', price: 5, coverImgUrl: '/assets/gifts/heart.svg', svgaUrl: '' },
        { giftId: 5, giftName: 'Rocket', price: 199, coverImgUrl: '/assets/gifts/rocket.svg', svgaUrl: '' },
      ]),
    }));
    answers.set('/bank/balance', () => ({ status: 200, body: ok({ balance: 5000 }) }));
    answers.set('/gift/contributionBoard', () => ({ status: 200, body: ok({ entries: [] }) }));
    answers.set('/gift/history/sent', () => ({ status: 200, body: ok({ list: [], nextCursor: null }) }));
    answers.set('/user/profile', () => ({ status: 200, body: ok({ userId: ME, nickName: NAMES[ME] }) }));
    answers.set('/user/names', () => ({ status: 200, body: ok({ names: NAMES }) }));
    answers.set('/im/getImConfig', () => ({
      status: 200,
      body: ok({ token: 'im-token', wsImServerAddress: 'ws://pk.test/ws' }),
    }));
    answers.set('/gift/send', () => ({ status: 200, body: ok({ requestId: `${ME}:k${sends.length}` }) }));
    // A PK running: seq 3, even, Bob challenging, two minutes left.
    answerPkState(3, CHALLENGER, 120_000);

    context = await browser.newContext({ viewport: DESKTOP });
    await context.addInitScript(
      ({ me }) => {
        localStorage.setItem('lg.userId', String(me));
        localStorage.setItem(`lg.named.${me}`, '1');
      },
      { me: ME },
    );
    page = await context.newPage();
    page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));
    await page.route(`${ORIGIN}/**`, serve);
    await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
      socket = ws;
      ws.send(JSON.stringify({ magic: 18673, code: 1001, body: { userId: ME } }));
    });
    await page.goto(`${ORIGIN}/#/room/${ROOM}`);
    await page.waitForFunction(() => document.body.dataset.im === 'online');
    await page.waitForSelector('#pk[data-state=running]');
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('a PK room shows the panel: both names and shares, the countdown, an accessible bar, the side picker', async () => {
    await page.waitForFunction(() => document.getElementById('pk-challenger-name')!.textContent === 'Bob');
    expect(await page.textContent('#pk-anchor-name')).toBe('Anna');
    expect(await page.textContent('#pk-anchor-share')).toBe('50%');
    expect(await page.textContent('#pk-challenger-share')).toBe('50%');
    // A two-minute PK: m:ss left, at most 2:00 (how much of it setup took is the machine's business).
    const [, minutes, seconds] = /^(\d):([0-5]\d) left$/.exec((await page.textContent('#pk-clock')) ?? '') ?? [];
    const left = Number(minutes) * 60 + Number(seconds);
    expect(left > 0 && left <= 120).toBe(true);
    expect(await page.getAttribute('#pk-bar', 'role')).toBe('progressbar');
    expect(await bar()).toEqual({ now: 50, state: 'running', text: 'Anna 50%, Bob 50%' });
    expect(await page.isVisible('#pk-to')).toBe(true);
    expect(await page.isVisible('#pk-challenge')).toBe(false); // the seat is taken
    expect(await page.isVisible('#pk-leave')).toBe(false); // not mine
    expect(await page.textContent('#pk-status')).toBe('Bob is challenging Anna.');
  });

  it('5558s in order move the bar; a repeated or reordered one (seq not newer) never moves it back', async () => {
    await progress(4, 56);
    expect((await bar()).now).toBe(56);
    await progress(4, 62); // the same seq again (a redelivery's push): ignored
    await progress(3, 40); // older: ignored
    expect((await bar()).now).toBe(56);
    await progress(6, 60);
    await progress(5, 58); // arrives after 6
    expect(await bar()).toMatchObject({ now: 60, text: 'Anna 60%, Bob 40%' });
    expect(await page.getAttribute('#pk-fill-anchor', 'style')).toContain('width: 60%');
    expect(await page.getAttribute('#pk-fill-challenger', 'style')).toContain('width: 40%');
    // Another room's PK (a push that raced a room change) is not this room's.
    await push(5558, { pkId: 'pk-8-1', progress: 10, seq: 99, requestId: 'x', step: -10 });
    expect((await bar()).now).toBe(60);
    // A snapshot is a full state, ordered the same way: an older one is ignored, a newer one applies.
    await progress(2, 30, { snapshot: true, requestId: null, winnerId: null });
    expect((await bar()).now).toBe(60);
    await progress(7, 45, { snapshot: true, requestId: null, winnerId: null });
    expect(await bar()).toMatchObject({ now: 45, state: 'running' });
    await shot('running');
  });

  it('the side picker decides the receiverId: the challenger or the anchor, fixed when sent', async () => {
    await page.check('input[name=pk-to][value=challenger]');
    await page.click('#gift-panel button[data-gift-id="2"]');
    await page.check('input[name=pk-to][value=anchor]');
    await page.click('#gift-panel button[data-gift-id="2"]');
    await page.waitForFunction(() => document.querySelectorAll('#my-sends li').length === 2);
    expect(sends.map((s) => s.receiverId)).toEqual([CHALLENGER, ANCHOR]);
    expect(await page.textContent('#my-sends li:nth-child(2) .what')).toBe('Heart to Bob');
    // Its 5556: charged; the activity list says to whom.
    const effect = { roomId: ROOM, senderId: ME, giftId: 2, giftName: 'Heart', count: 1 };
    send(5556, { ...effect, receiverId: CHALLENGER, requestId: `${ME}:k0` }); // the first send's
    await page.waitForSelector('#my-sends li:nth-child(2)[data-state=charged]');
    expect(await page.textContent('#feed li:first-child')).toBe('Vera sent Heart x1 to Bob');
  });

  it('axe-core (WCAG 2 A/AA) finds no violation in the PK panel and the side picker', async () => {
    expect(await axeViolations(page, ['#pk', '#pk-to'])).toEqual([]);
  });

  it('5561: the winner banner names the winner with the final bar and the reason; a late push never revives it; dismissible', async () => {
    await ended(3, 9, { winnerId: CHALLENGER, reason: 'bound', progress: 0 });
    await page.waitForSelector('#pk-result:not([hidden])');
    expect(await page.textContent('#pk-result-text')).toBe('PK over: Bob wins');
    expect(await page.textContent('#pk-result-reason')).toBe('The bar reached the end.');
    expect(await page.getAttribute('#pk-result', 'data-winner-id')).toBe(String(CHALLENGER));
    expect(await bar()).toEqual({ now: 0, state: 'ended', text: 'Anna 0%, Bob 100% (final)' });
    expect(await page.textContent('#pk-status')).toBe('PK over: Bob wins. The bar reached the end.');
    expect(await page.isVisible('#pk-to')).toBe(false); // no PK: gifts go to the anchor
    expect(await page.isVisible('#pk-challenge')).toBe(true); // the seat is free again
    await shot('winner');

    await progress(8, 20); // older than the end
    await progress(10, 20); // newer, but its PK has ended
    await push(5559, { pkId: `pk-${ROOM}-3`, challengerId: CHALLENGER, online: true, seq: 11, progress: 50 });
    expect(await bar()).toMatchObject({ now: 0, state: 'ended' });

    await page.click('#pk-result-close');
    expect(await page.isVisible('#pk-result')).toBe(false);
    // The same 5561 again (a redelivery): the banner stays dismissed.
    await ended(3, 9, { winnerId: CHALLENGER, reason: 'bound', progress: 0 });
    expect(await page.isVisible('#pk-result')).toBe(false);
  });

  it('Challenge refused with 14001: the message in words; the page re-reads who has the seat', async () => {
    answers.set('/living/onlinePK', () => ({
      status: 409,
      body: { code: 14001, msg: 'the PK seat is taken: another challenger is in this room', data: null },
    }));
    const stateReads = page.waitForRequest((r) => r.url().endsWith('/living/pkState'));
    await page.click('#pk-challenge');
    await page.waitForSelector('.toast.error');
    expect(await page.textContent('.toast.error .toast-text')).toBe(
      'Someone else took the challenger seat first. You can challenge when this PK ends.',
    );
    await stateReads;
  });

  it('the viewer takes the seat: a new PK (5559 online) shows Leave PK; the challenger cannot pick their own side; leaving asks first', async () => {
    answers.set('/living/onlinePK', () => ({
      status: 200,
      body: ok({ pkId: `pk-${ROOM}-12`, endsAt: Date.now() + 300_000 }),
    }));
    answerPkState(12, ME, 300_000);
    await page.click('#pk-challenge');
    await online(12, ME);
    await page.waitForSelector('#pk-leave:not([hidden])');
    expect(await bar()).toMatchObject({ now: 50, state: 'running', text: 'Anna 50%, Vera 50%' });
    expect(await page.isDisabled('input[name=pk-to][value=challenger]')).toBe(true);
    expect(await page.isChecked('input[name=pk-to][value=anchor]')).toBe(true);

    const offline: string[] = [];
    answers.set('/living/offlinePK', () => (offline.push('x'), { status: 200, body: ok(null) }));
    await page.click('#pk-leave');
    await page.click('#confirm-cancel');
    await page.waitForSelector('#confirm', { state: 'hidden' });
    expect(await bar()).toMatchObject({ state: 'running' }); // still in the PK
    const left = page.waitForResponse((r) => r.url().endsWith('/living/offlinePK'));
    await page.click('#pk-leave');
    await page.click('#confirm-ok');
    await left;
    await push(5559, { pkId: `pk-${ROOM}-12`, challengerId: ME, online: false, seq: 12, progress: 50 });
    await ended(12, 12, { winnerId: ANCHOR, reason: 'offline', progress: 50 });
    await page.waitForSelector('#pk-result:not([hidden])');
    expect(offline).toEqual(['x']); // asked once: on the confirmation, not on the cancel
    expect(await page.textContent('#pk-result-text')).toBe('PK over: Anna wins');
    expect(await page.textContent('#pk-result-reason')).toBe('The challenger left the PK.');
  });

  it('time up at exactly 50: a draw (winnerId 0)', async () => {
    await online(13, CHALLENGER);
    await page.waitForSelector('#pk[data-state=running]');
    expect(await page.isVisible('#pk-result')).toBe(false); // a new PK clears the last banner
    await ended(13, 13, { winnerId: 0, reason: 'time', progress: 50 });
    await page.waitForSelector('#pk-result:not([hidden])');
    expect(await page.textContent('#pk-result-text')).toBe('PK over: a draw');
    expect(await page.textContent('#pk-result-reason')).toBe('Time ran out.');
    expect(await page.getAttribute('#pk-result', 'data-winner-id')).toBe('0');
    // A 5559 offline of it coming after its 5561: the status line keeps the result.
    await push(5559, { pkId: `pk-${ROOM}-13`, challengerId: CHALLENGER, online: false, seq: 13, progress: 50 });
    expect(await page.textContent('#pk-status')).toBe('PK over: a draw. Time ran out.');
  });

  it('at 320 px the panel fits (no horizontal scroll); numbers sent as strings are read alike', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await online(14, CHALLENGER);
    await progress(15, 70, { pkId: `pk-${ROOM}-14` });
    expect(await bar()).toMatchObject({ now: 70, state: 'running' });
    await progress(16, '72' as unknown as number, { pkId: `pk-${ROOM}-14`, seq: '16' }); // numbers as strings: read alike
    expect(await bar()).toMatchObject({ now: 72, state: 'running' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await shot('phone');
  });

  it("a new PK with a lower seq (the server lost the room's PK state) replaces the one shown; the old one stays gone", async () => {
    await page.setViewportSize(DESKTOP);
    const lostEnds = Date.now() + 60_000;
    const nextEnds = Date.now() + 300_000; // started after the lost one: ends later
    const pkIdAttr = () => page.getAttribute('#pk', 'data-pk-id');
    // The PK shown, at seq 300 (Redis then loses the room's PK state, and its seq starts over).
    await online(300, CHALLENGER, lostEnds);
    await progress(301, 55, { pkId: `pk-${ROOM}-300`, endsAt: lostEnds });
    expect(await bar()).toMatchObject({ now: 55, state: 'running' });
    // A new PK at seq 7: the page resets to it (its seq is the baseline), then its 5558 at seq 8 moves the bar.
    await online(7, CHALLENGER, nextEnds);
    expect(await pkIdAttr()).toBe(`pk-${ROOM}-7`);
    expect(await bar()).toMatchObject({ now: 50, state: 'running' });
    await progress(8, 64, { pkId: `pk-${ROOM}-7`, endsAt: nextEnds });
    expect(await bar()).toMatchObject({ now: 64, state: 'running', text: 'Anna 64%, Bob 36%' });
    expect(await page.getAttribute('#pk', 'data-seq')).toBe('8');
    // Within the new PK the seq orders as before: repeated, older.
    await progress(8, 10, { pkId: `pk-${ROOM}-7`, endsAt: nextEnds });
    await progress(7, 10, { pkId: `pk-${ROOM}-7`, endsAt: nextEnds });
    expect((await bar()).now).toBe(64);
    // Late pushes of the PK replaced (higher seqs), and of an older one this page never saw (it ends earlier):
    // none comes back.
    await progress(302, 90, { pkId: `pk-${ROOM}-300`, endsAt: lostEnds });
    await ended(300, 303, { winnerId: ANCHOR, reason: 'bound', progress: 100 });
    await online(5, CHALLENGER, lostEnds - 30_000);
    await progress(6, 20, { pkId: `pk-${ROOM}-5`, endsAt: lostEnds - 30_000 });
    expect(await pkIdAttr()).toBe(`pk-${ROOM}-7`);
    expect(await bar()).toMatchObject({ now: 64, state: 'running' });
    expect(await page.isVisible('#pk-result')).toBe(false);
    await progress(9, 66, { pkId: `pk-${ROOM}-7`, endsAt: nextEnds });
    expect((await bar()).now).toBe(66);
  });

  it('a burst of effects costs the board and my balance two reads each, not one each: the one in flight, then one after the last effect', async () => {
    // Before 2026-12-02 every 5556 read the board (and each of mine the balance): a room's 50 effects a second
    // were 50 board reads a second from each of its viewers. The first read of each is held until the page has
    // handled the whole burst, and effects keep coming while it is in flight: exactly one more read must follow,
    // and only it answers the state after the last effect.
    let release!: () => void;
    const burstHandled = new Promise<void>((resolve) => (release = resolve));
    const reads = { board: 0, balance: 0 };
    const signal = () => {
      let resolve!: () => void;
      return { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    };
    const firstArrived = { board: signal(), balance: signal() };
    const held = async (route: keyof typeof reads, body: (stale: boolean) => unknown): Promise<Answer> => {
      reads[route] += 1;
      const first = reads[route] === 1;
      if (first) {
        firstArrived[route].resolve();
        await burstHandled;
      }
      return { status: 200, body: ok(body(first)) };
    };
    answers.set('/gift/contributionBoard', () =>
      held('board', (stale) => ({ entries: [{ userId: CHALLENGER, rank: 1, score: stale ? 1 : 40 }] })),
    );
    answers.set('/bank/balance', () => held('balance', (stale) => ({ balance: stale ? 1 : 10_040 })));
    let sent = 0;
    /** `n` Hearts of `senderId`, back to back. */
    const burst = (senderId: number, n: number): void => {
      for (let i = 0; i < n; i += 1) {
        sent += 1;
        const requestId = `${senderId}:burst-${sent}`;
        send(5556, { roomId: ROOM, senderId, receiverId: ANCHOR, giftId: 2, giftName: 'Heart', count: 1, requestId });
      }
    };
    // Bob's first Heart starts a board read (held); his 29 more and 10 of mine come while it is in flight; my
    // first starts a balance read (held), my 9 more come while it is in flight.
    burst(CHALLENGER, 1);
    await firstArrived.board.promise;
    burst(CHALLENGER, 29);
    burst(ME, 1);
    await firstArrived.balance.promise;
    burst(ME, 9);
    // The activity list shows them all (Vera's 10 on top of Bob's 30): the page has handled every effect.
    await page.waitForFunction(() => {
      const lines = Array.from(document.querySelectorAll<HTMLElement>('#feed li')).slice(0, 2);
      return lines.map((li) => li.dataset.total).join(',') === '10,30';
    });
    release();
    await page.waitForFunction(
      (want) =>
        document.querySelector('#board li .price')?.textContent === want.board &&
        document.querySelector('#balance')?.textContent === want.balance,
      { board: '40', balance: '10040' },
    );
    // Any read still to come would start within 500 ms: wait past it, so one more would be counted.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reads).toEqual({ board: 2, balance: 2 }); // 40 and 10 before
  });
});
