import {
  BankClient,
  createRpcClient,
  GiftClient,
  HealthDetails,
  ImCoreClient,
  ImRouterClient,
  RPC_MAX_UNSENT_ANSWER_CHARS,
  RpcAuth,
  runApp,
} from '@live/common';
import {
  BankRpc,
  CreatePayOrderRequest,
  GiftRpc,
  PkSeatRequest,
  ImBizCode,
  ImCoreRpc,
  ImRouterRpc,
  priceChangedRefusal,
  REFUSAL_NOT_CHECKED_OUT,
  RefundOrderRequest,
  sentGiftOf,
  SetAccountStatusRequest,
  signBankOrder,
  signCatalogueOrder,
  signPkSeatOrder,
  UpdateGiftConfigRequest,
} from '@live/contracts';
import { SEED_PRODUCTS } from '@live/database';
import { Logger } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { ImRouterEnv } from '../apps/im-router/src/config/im-router.env';
import { toSettlementItem } from '../apps/gift-service/src/send-gift/send-gift.batch';
import { ImRouterModule } from '../apps/im-router/src/im-router.module';
import { HttpClient } from './support/http-client';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { ImTestClient } from './support/im-client';
import { signedGift } from './support/signed-gift';
import { portBlock, startTestStack, TestStack } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** What a raw TCP connection got back: `answer` is everything the server wrote before it closed or answered. */
interface RawOutcome {
  connected: boolean;
  answer: string;
  closedByServer: boolean;
}

/** The frame any Nest TCP client sends: `<length>#{"pattern":{"cmd":...},"data":...,"id":...}`. */
function nestFrame(pattern: string, data: object): string {
  const json = JSON.stringify({ pattern: { cmd: pattern }, data, id: randomUUID() });
  return `${json.length}#${json}`;
}

/** The same frame in the signed envelope, as a caller holding `auth`'s key makes it (rpc-auth.ts). */
function signedFrame(auth: RpcAuth, pattern: string, data: object, ts = Date.now()): string {
  const json = JSON.stringify({ pattern: { cmd: pattern }, data, id: randomUUID() });
  const content = auth.seal('request', json, `${RpcAuth.newConnectionId()}.1`, ts);
  return `${content.length}#${content}`;
}

/** Opens a TCP connection, writes `wire`, and reads until the server closes the connection or one whole frame came back. */
function rawExchange(port: number, wire: string | Buffer, host = '127.0.0.1'): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const outcome: RawOutcome = { connected: false, answer: '', closedByServer: false };
    const socket = connect(port, host);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      outcome.connected = true;
      socket.write(wire);
    });
    socket.on('data', (chunk: string) => {
      outcome.answer += chunk;
      const head = /^(\d+)#/.exec(outcome.answer);
      if (head && outcome.answer.length - head[0].length >= Number(head[1])) {
        socket.destroy();
        resolve(outcome);
      }
    });
    socket.on('error', () => undefined); // a reset is a close here
    socket.on('close', () => {
      outcome.closedByServer = true;
      resolve(outcome);
    });
  });
}

const REFUSED: RawOutcome = { connected: true, answer: '', closedByServer: true };

/**
 * Issue 15, point 2: an attacker on the network opens raw TCP connections to the RPC ports of
 * bank-service, gift-service, im-router and im-core and sends well-formed Nest TCP frames. None has an
 * effect or gets an answer; each is logged with the peer's address; the services keep serving callers
 * that hold RPC_AUTH_SECRET.
 */
describe('internal RPC accepts only signed callers (raw TCP frames against the running apps)', () => {
  let stack: TestStack;
  let http: HttpClient;
  let warn: jest.SpyInstance;
  const sockets: ImTestClient[] = [];
  const clients: ClientProxy[] = [];
  /** A caller holding the deployment's key (the development profile's RPC_AUTH_SECRET). */
  const insider = RpcAuth.fromEnv('rpc-auth-e2e');
  /** A caller with a key of its own. */
  const outsider = new RpcAuth('gift-service', 'an-attacker-guess-of-the-secret-0123456789');
  const login = (): Promise<{ client: HttpClient; userId: number }> => loginNewUser(http);

  const client = (port: number): ClientProxy => {
    const made = createRpcClient('rpc-auth-e2e', { host: '127.0.0.1', port });
    clients.push(made);
    return made;
  };
  const refusals = (): string[] =>
    warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('refused an RPC request'));

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn');
    stack = await startTestStack({ realIm: true });
    http = new HttpClient(stack.baseUrl);
    await waitFor(
      'the im-core node in the registry',
      async () => {
        const { client: c } = await login();
        return (await c.post('/im/getImConfig')).body.data.wsImServerAddress === stack.wsUrl;
      },
      10_000,
    );
  });

  afterAll(async () => {
    warn?.mockRestore();
    for (const s of sockets) s.close();
    for (const c of clients) c.close();
    await stack?.close();
  });

  it('bank.order.dev-pay: unsigned, wrongly signed, stale and replayed frames pay nothing and get no answer; each is logged with the peer', async () => {
    const user = await login();
    const products = (await user.client.post('/bank/products', { type: 0 })).body.data.products;
    const { orderId } = (
      await user.client.post('/bank/payProduct', {
        productId: products[0].id,
        paySource: 1,
        payChannel: 0,
      })
    ).body.data;
    const pay = { orderId, userId: user.userId };
    const before = refusals().length;

    expect(await rawExchange(stack.ports.bankRpc, nestFrame(BankRpc.DEV_PAY, pay))).toEqual(REFUSED);
    expect(await rawExchange(stack.ports.bankRpc, signedFrame(outsider, BankRpc.DEV_PAY, pay))).toEqual(REFUSED);
    expect(
      await rawExchange(stack.ports.bankRpc, signedFrame(insider, BankRpc.DEV_PAY, pay, Date.now() - 120_000)),
    ).toEqual(REFUSED);
    expect(await user.client.balance()).toBe(0);
    const [order] = await stack.db.dataSource.query('SELECT status FROM t_pay_order WHERE order_id = ?', [orderId]);
    expect(Number(order.status)).not.toBe(2);

    // The same frame signed with the deployment's key is a real call (so the refused ones were well formed)...
    const genuine = signedFrame(insider, BankRpc.DEV_PAY, pay);
    const paid = await rawExchange(stack.ports.bankRpc, genuine);
    expect(paid.closedByServer).toBe(false);
    expect(paid.answer).toContain('"credited":true');
    expect(paid.answer.split('\n')[0]).toMatch(/^\d+#LG1 bank-service \d+ - \S{43}$/); // the answer is signed too
    // ...and replaying its bytes on another connection is refused before any handler runs.
    expect(await rawExchange(stack.ports.bankRpc, genuine)).toEqual(REFUSED);
    expect(await user.client.balance()).toBe(products[0].coinNum);

    const logged = refusals().slice(before);
    expect(logged).toHaveLength(4);
    expect(logged.every((m) => /^bank-service refused an RPC request from 127\.0\.0\.1:\d+: /.test(m))).toBe(true);
    expect(logged.map((m) => m.split(': ')[1].split(' ')[0])).toEqual(['unsigned', 'bad', 'timestamp', 'replayed']);
  });

  it('bank.account.incr / decr are gone: unsigned they are refused, signed they find no handler; no coin moves', async () => {
    const user = await login();
    const credit = { userId: user.userId, num: 1_000_000, requestId: `incr-${randomUUID()}` };
    expect(await rawExchange(stack.ports.bankRpc, nestFrame('bank.account.incr', credit))).toEqual(REFUSED);
    expect(await rawExchange(stack.ports.bankRpc, nestFrame('bank.account.decr', credit))).toEqual(REFUSED);
    for (const pattern of ['bank.account.incr', 'bank.account.decr']) {
      const signed = await rawExchange(stack.ports.bankRpc, signedFrame(insider, pattern, credit));
      expect(signed.answer).toContain('There is no matching message handler');
      expect(signed.answer).not.toContain('"balance"');
    }
    expect(await user.client.balance()).toBe(0);
    const [{ n }] = await stack.db.dataSource.query(
      'SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE user_id = ?',
      [user.userId],
    );
    expect(Number(n)).toBe(0);
  });

  it('bank.gift.batch: an RPC key holder refusing a genuine gift it copied cannot choose the words its sender reads', async () => {
    const sender = await login();
    const anchor = await login();
    const mq = signedGift(sender.userId, anchor.userId, 1, 'copied', [1, 'Rose', 1]);
    const bank = new BankClient(client(stack.ports.bankRpc), 10_000);
    const words = 'your coins are frozen: call +1 555 0100 to get them back';
    const { results } = await bank.settleBatch([toSettlementItem(sentGiftOf(mq), mq, words)]);
    expect(results).toEqual([expect.objectContaining({ status: 'rejected', reason: REFUSAL_NOT_CHECKED_OUT })]);
    // The ledger keeps those words, not the caller's: the gift itself sent again gets the same answer.
    const again = await bank.settleBatch([toSettlementItem(sentGiftOf(mq), mq)]);
    expect(again.results).toEqual([
      expect.objectContaining({ status: 'rejected', reason: REFUSAL_NOT_CHECKED_OUT, replayed: true }),
    ]);
    const rows: { remark: string | null }[] = await stack.db.dataSource.query(
      'SELECT remark FROM t_qiyu_currency_trade WHERE user_id = ?',
      [sender.userId],
    );
    expect(rows.map((r) => r.remark)).toEqual([REFUSAL_NOT_CHECKED_OUT]);
    expect(warn.mock.calls.map((c) => String(c[0])).some((m) => m.includes('not of GIFT_REFUSALS'))).toBe(true);
    // gift-service's own words stay as they are.
    const priced = signedGift(sender.userId, anchor.userId, 1, 'repriced', [1, 'Rose', 1]);
    const ours = await bank.settleBatch([toSettlementItem(sentGiftOf(priced), priced, priceChangedRefusal(3))]);
    expect(ours.results).toEqual([expect.objectContaining({ status: 'rejected', reason: priceChangedRefusal(3) })]);
  });

  it("bank orders on a user's or an admin's word (withdraw, review, refund, freeze) need api-gateway's signature: the RPC key alone, a forged, stale or other order's signature does nothing", async () => {
    const user = await login();
    const orderId = await rechargeCoins(user.client, SEED_PRODUCTS[0][3]);
    const coins = await user.client.balance();
    const bank = new BankClient(client(stack.ports.bankRpc));
    const gatewayKey = { id: process.env.BANK_ORDER_SIGNING_KEY_ID!, secret: process.env.BANK_ORDER_SIGNING_KEY! };
    // The gateway's key of gift orders, which gift-service holds to check gifts, signs no bank order.
    const giftKey = { id: process.env.GIFT_MSG_SIGNING_KEY_ID!, secret: process.env.GIFT_MSG_SIGNING_KEY! };
    const forgedKey = { id: gatewayKey.id, secret: 'an-attacker-guess-of-the-signing-key-0123456789' };
    const refund = { orderId, adminId: user.userId };
    const freeze = { userId: user.userId, adminId: user.userId, reason: 'forged' };
    /** The answer names no key or time (a client may see it); the log line says why. */
    const notSigned = { code: 100003, message: 'not signed by api-gateway: nothing done' };
    const logged = (): string[] =>
      warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('refused, nothing done: not signed by'));
    const before = logged().length;

    // The RPC key alone: the order without a signature is not even a valid request.
    await expect(bank.refundOrder(refund as RefundOrderRequest)).rejects.toMatchObject({ code: 100001 });
    await expect(bank.freezeAccount(freeze as SetAccountStatusRequest)).rejects.toMatchObject({ code: 100001 });
    // Signed with a guessed key, with the gateway's gift key (gift-service holds it), two minutes ago, or the
    // gateway's signature of another order.
    await expect(bank.refundOrder(signBankOrder(BankRpc.REFUND_ORDER, refund, forgedKey))).rejects.toMatchObject(
      notSigned,
    );
    await expect(bank.refundOrder(signBankOrder(BankRpc.REFUND_ORDER, refund, giftKey))).rejects.toMatchObject(
      notSigned,
    );
    const stale = signBankOrder(BankRpc.REFUND_ORDER, refund, gatewayKey, Date.now() - 120_000);
    await expect(bank.refundOrder(stale)).rejects.toMatchObject(notSigned);
    const freezeOrder = signBankOrder(BankRpc.FREEZE_ACCOUNT, freeze, gatewayKey);
    await expect(bank.unfreezeAccount(freezeOrder)).rejects.toMatchObject(notSigned);
    const otherUser = { ...freezeOrder, userId: user.userId + 1 };
    await expect(bank.freezeAccount(otherUser)).rejects.toMatchObject(notSigned);
    const withdrawal = { userId: user.userId, requestId: `wd-${randomUUID()}`, amount: 1 };
    await expect(
      bank.createWithdrawal(signBankOrder(BankRpc.CREATE_WITHDRAWAL, withdrawal, forgedKey)),
    ).rejects.toMatchObject(notSigned);
    await expect(
      bank.approveWithdrawal(signBankOrder(BankRpc.REJECT_WITHDRAWAL, { withdrawalId: 1, adminId: 1 }, gatewayKey)),
    ).rejects.toMatchObject(notSigned);
    // A recharge order in the user's name (an RPC-key review: anyone filled a victim's open orders, so the
    // victim's own recharges were refused).
    const payOrder = { userId: user.userId, productId: SEED_PRODUCTS[0][0], paySource: 1, payChannel: 0 };
    const ordersBefore = await stack.db.dataSource.query('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [
      user.userId,
    ]);
    await expect(bank.createPayOrder(payOrder as CreatePayOrderRequest)).rejects.toMatchObject({ code: 100001 });
    await expect(
      bank.createPayOrder(signBankOrder(BankRpc.CREATE_PAY_ORDER, payOrder, forgedKey)),
    ).rejects.toMatchObject(notSigned);
    const mismatch = expect.stringContaining(`(signature does not match (key id ${gatewayKey.id}))`);
    expect(logged().slice(before)).toEqual([
      expect.stringMatching(
        /^bank\.order\.refund refused, nothing done: not signed by api-gateway \(signature does not match/,
      ),
      mismatch,
      expect.stringContaining('(signed at '),
      expect.stringMatching(/^bank\.account\.unfreeze refused/),
      expect.stringMatching(/^bank\.account\.freeze refused/),
      expect.stringMatching(/^bank\.withdrawal\.create refused/),
      expect.stringMatching(/^bank\.withdrawal\.approve refused/),
      expect.stringMatching(/^bank\.order\.create refused/),
    ]);
    expect(
      await stack.db.dataSource.query('SELECT COUNT(*) AS n FROM t_pay_order WHERE user_id = ?', [user.userId]),
    ).toEqual(ordersBefore);

    // Nothing done: the coins are there, the wallet is active, no withdrawal order, no refund row.
    expect(await user.client.balance()).toBe(coins);
    const sql = (q: string) => stack.db.dataSource.query(q, [user.userId]);
    expect((await sql('SELECT status FROM t_qiyu_currency_account WHERE user_id = ?'))[0].status).toBe(1);
    expect((await sql('SELECT COUNT(*) AS n FROM t_withdrawal_order WHERE user_id = ?'))[0].n).toBe(0);
    expect((await sql('SELECT COUNT(*) AS n FROM t_qiyu_currency_trade WHERE user_id = ? AND type = 7'))[0].n).toBe(0);

    // The same orders signed with the gateway's key are carried out (the refused ones were well formed).
    expect(await bank.refundOrder(signBankOrder(BankRpc.REFUND_ORDER, refund, gatewayKey))).toMatchObject({
      refunded: true,
    });
    expect(await bank.freezeAccount(freezeOrder)).toEqual({ userId: user.userId, status: 'frozen' });
  });

  it('gift.config.update: an unsigned reprice changes nothing in the catalogue', async () => {
    const gift = new GiftClient(client(stack.ports.giftRpc));
    const { gifts } = await gift.panel();
    const target = [...gifts].sort((a, b) => b.price - a.price)[0];
    const forged = { giftId: target.giftId, price: 1, giftName: 'pwned' };
    expect(await rawExchange(stack.ports.giftRpc, nestFrame(GiftRpc.UPDATE, forged))).toEqual(REFUSED);
    expect(await rawExchange(stack.ports.giftRpc, signedFrame(outsider, GiftRpc.UPDATE, forged))).toEqual(REFUSED);
    const [row] = await stack.db.dataSource.query('SELECT price, gift_name FROM t_gift_config WHERE gift_id = ?', [
      target.giftId,
    ]);
    expect([Number(row.price), row.gift_name]).toEqual([target.price, target.giftName]);
    const { gift: served } = await gift.config(target.giftId);
    expect(served?.price).toBe(target.price);
  });

  it("gift.insert / gift.update need api-gateway's signature: the RPC key alone (any service's, im-core's and im-router's included), a forged, stale or other order's signature reprices nothing", async () => {
    // A reviewer's finding (2026-12-01): a signed RPC frame from any holder of the internal key repriced a gift,
    // and every viewer's next tap of it was signed and charged at that price.
    const gift = new GiftClient(client(stack.ports.giftRpc));
    const { gifts } = await gift.panel();
    const target = [...gifts].sort((a, b) => b.price - a.price)[0];
    const reprice = { giftId: target.giftId, price: target.price * 100 };
    const catalogueKey = {
      id: process.env.CATALOGUE_ORDER_SIGNING_KEY_ID!,
      secret: process.env.CATALOGUE_ORDER_SIGNING_KEY!,
    };
    // The gateway's other keys sign no catalogue change: the gift key (bank-service holds it, to check gifts) and
    // the bank-order key.
    const giftKey = { id: process.env.GIFT_MSG_SIGNING_KEY_ID!, secret: process.env.GIFT_MSG_SIGNING_KEY! };
    const bankKey = { id: process.env.BANK_ORDER_SIGNING_KEY_ID!, secret: process.env.BANK_ORDER_SIGNING_KEY! };
    const forgedKey = { id: catalogueKey.id, secret: 'an-attacker-guess-of-the-signing-key-0123456789' };
    const notSigned = { code: 100003, message: 'not signed by api-gateway: nothing done' };
    const logged = (): string[] =>
      warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('refused, nothing changed: not signed by'));
    const before = logged().length;

    // With the RPC key alone: no signature, not even a valid request.
    await expect(gift.update(reprice as UpdateGiftConfigRequest)).rejects.toMatchObject({ code: 100001 });
    await expect(
      gift.insert({ giftName: 'Pwned', price: 1, coverImgUrl: '', svgaUrl: '' } as never),
    ).rejects.toMatchObject({ code: 100001 });
    // Signed with a guessed key, with another of the gateway's keys, as an insert, two minutes ago, or a signed
    // change with its price changed afterwards.
    for (const order of [
      signCatalogueOrder(GiftRpc.UPDATE, reprice, forgedKey),
      signCatalogueOrder(GiftRpc.UPDATE, reprice, giftKey),
      signCatalogueOrder(GiftRpc.UPDATE, reprice, bankKey),
      signCatalogueOrder(GiftRpc.INSERT, reprice, catalogueKey),
      signCatalogueOrder(GiftRpc.UPDATE, reprice, catalogueKey, Date.now() - 120_000),
      { ...signCatalogueOrder(GiftRpc.UPDATE, { giftId: target.giftId, price: target.price }, catalogueKey), price: 1 },
    ])
      await expect(gift.update(order)).rejects.toMatchObject(notSigned);
    expect(logged().length - before).toBe(6);
    expect(logged().slice(before).join('\n')).toMatch(
      /gift\.config\.update refused, nothing changed: not signed by api-gateway \(signature does not match/,
    );
    const [row] = await stack.db.dataSource.query('SELECT price FROM t_gift_config WHERE gift_id = ?', [target.giftId]);
    expect(Number(row.price)).toBe(target.price);
    expect((await gift.config(target.giftId)).gift?.price).toBe(target.price);

    // The gateway's signature of the same change is carried out (the refused ones were well formed); put back.
    expect((await gift.update(signCatalogueOrder(GiftRpc.UPDATE, reprice, catalogueKey))).gift.price).toBe(
      reprice.price,
    );
    const back = signCatalogueOrder(GiftRpc.UPDATE, { giftId: target.giftId, price: target.price }, catalogueKey);
    expect((await gift.update(back)).gift.price).toBe(target.price);
  });

  it("a signed order is carried out once: a copy (a replay of a catalogue change, a freeze, a recharge order, a refund, a PK leave) is answered the first's outcome and changes nothing", async () => {
    // The stop-34 note's list: a holder of the RPC key who saw a signed order on the network could send it again
    // within its 60 s, undoing a correction made meanwhile or freezing an account again after its unfreeze.
    const gift = new GiftClient(client(stack.ports.giftRpc));
    const bank = new BankClient(client(stack.ports.bankRpc));
    const catalogueKey = {
      id: process.env.CATALOGUE_ORDER_SIGNING_KEY_ID!,
      secret: process.env.CATALOGUE_ORDER_SIGNING_KEY!,
    };
    const bankKey = { id: process.env.BANK_ORDER_SIGNING_KEY_ID!, secret: process.env.BANK_ORDER_SIGNING_KEY! };
    const copies = (): string[] =>
      warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('a copy of an order carried out'));
    const before = copies().length;

    const { gifts } = await gift.panel();
    const target = [...gifts].sort((a, b) => a.price - b.price)[0];
    const reprice = signCatalogueOrder(
      GiftRpc.UPDATE,
      { giftId: target.giftId, price: target.price * 2 },
      catalogueKey,
    );
    const first = await gift.update(reprice);
    expect(first.gift.price).toBe(target.price * 2);
    const correction = signCatalogueOrder(GiftRpc.UPDATE, { giftId: target.giftId, price: target.price }, catalogueKey);
    expect((await gift.update(correction)).gift.price).toBe(target.price);
    expect(await gift.update(reprice)).toEqual(first); // the first's answer, as it was
    const [row] = await stack.db.dataSource.query('SELECT price FROM t_gift_config WHERE gift_id = ?', [target.giftId]);
    expect(Number(row.price)).toBe(target.price);
    expect((await gift.config(target.giftId)).gift?.price).toBe(target.price);

    const user = await login();
    const status = async (): Promise<number> => {
      const sql = 'SELECT status FROM t_qiyu_currency_account WHERE user_id = ?';
      return Number((await stack.db.dataSource.query(sql, [user.userId]))[0].status);
    };
    const freeze = signBankOrder(
      BankRpc.FREEZE_ACCOUNT,
      { userId: user.userId, adminId: user.userId, reason: 'e2e' },
      bankKey,
    );
    expect(await bank.freezeAccount(freeze)).toEqual({ userId: user.userId, status: 'frozen' });
    const unfreeze = signBankOrder(
      BankRpc.UNFREEZE_ACCOUNT,
      { userId: user.userId, adminId: user.userId, reason: 'e2e' },
      bankKey,
    );
    expect(await bank.unfreezeAccount(unfreeze)).toEqual({ userId: user.userId, status: 'active' });
    expect(await bank.freezeAccount(freeze)).toEqual({ userId: user.userId, status: 'frozen' }); // the first's answer
    expect(await status()).toBe(1); // still active

    const payOrder = signBankOrder(
      BankRpc.CREATE_PAY_ORDER,
      { userId: user.userId, productId: SEED_PRODUCTS[0][0], paySource: 1, payChannel: 0 },
      bankKey,
    );
    const made = await bank.createPayOrder(payOrder);
    expect(await bank.createPayOrder(payOrder)).toEqual(made);
    const orders = await stack.db.dataSource.query('SELECT order_id FROM t_pay_order WHERE user_id = ?', [user.userId]);
    expect(orders.map((o: { order_id: string }) => o.order_id)).toEqual([made.orderId]);

    // A refund is sent again by the gateway after a timeout (RPC_RETRY_AFTER_SEND): its copy gets the first's answer
    // too (not the "refunded: false" a second refund would say).
    const coins = await user.client.balance();
    const paid = await rechargeCoins(user.client, SEED_PRODUCTS[0][3]);
    const refund = signBankOrder(BankRpc.REFUND_ORDER, { orderId: paid, adminId: user.userId }, bankKey);
    const refunded = await bank.refundOrder(refund);
    expect(refunded).toMatchObject({ refunded: true });
    expect(await bank.refundOrder(refund)).toEqual(refunded);
    expect(await user.client.balance()).toBe(coins);

    // A PK leave sent again after the user took the seat again ends nothing: it answers the first leave.
    const pkKey = catalogueKey;
    const anchor = await login();
    const roomId = (await anchor.client.post('/living/startingLiving', { type: 1 })).body.data.roomId;
    const seat = { roomId, userId: user.userId };
    const pk1 = await gift.pkOnline(signPkSeatOrder(GiftRpc.PK_ONLINE, seat, pkKey));
    const leave = signPkSeatOrder(GiftRpc.PK_OFFLINE, seat, pkKey);
    expect(await gift.pkOffline(leave)).toEqual({ pkId: pk1.pkId });
    const pk2 = await gift.pkOnline(signPkSeatOrder(GiftRpc.PK_ONLINE, seat, pkKey));
    expect(pk2.pkId).not.toBe(pk1.pkId);
    expect(await gift.pkOffline(leave)).toEqual({ pkId: pk1.pkId });
    const state = (await anchor.client.post('/living/pkState', { roomId })).body.data;
    expect([state.pkId, state.challengerId, state.endReason]).toEqual([pk2.pkId, user.userId, '']);

    // Each copy of a call the gateway never sends twice is a warning; the refund's and the leave's are not.
    expect(copies().slice(before)).toEqual([
      expect.stringMatching(/^gift\.config\.update: a copy of an order carried out \(v2\..*never sent twice/),
      expect.stringMatching(/^bank\.account\.freeze: a copy of an order carried out/),
      expect.stringMatching(/^bank\.order\.create: a copy of an order carried out/),
    ]);
  });

  it("gift.pk.online / offline need api-gateway's signature for the token's user: the RPC key alone, a forged key or another user's seat signed by the gateway seats and unseats nobody", async () => {
    // An RPC-key review (2026-12-01): any holder of the internal key ended a PK and seated itself as the
    // challenger, whom viewers' gifts "to the challenger" credit.
    const anchor = await login();
    const { body } = await anchor.client.post('/living/startingLiving', { type: 1 });
    const roomId = body.data.roomId;
    const challenger = await login();
    const intruder = await login();
    expect((await challenger.client.post('/living/onlinePK', { roomId })).body.code).toBe(200);
    const gift = new GiftClient(client(stack.ports.giftRpc));
    const key = { id: process.env.CATALOGUE_ORDER_SIGNING_KEY_ID!, secret: process.env.CATALOGUE_ORDER_SIGNING_KEY! };
    const forgedKey = { id: key.id, secret: 'an-attacker-guess-of-the-signing-key-0123456789' };
    const notSigned = { code: 100003, message: 'not signed by api-gateway: nothing done' };
    const leave = { roomId, userId: challenger.userId };
    const seat = { roomId, userId: intruder.userId };

    await expect(gift.pkOffline(leave as PkSeatRequest)).rejects.toMatchObject({ code: 100001 });
    await expect(gift.pkOffline(signPkSeatOrder(GiftRpc.PK_OFFLINE, leave, forgedKey))).rejects.toMatchObject(
      notSigned,
    );
    // The gateway's signature of the intruder's own call, passed off as the challenger's leave.
    const own = signPkSeatOrder(GiftRpc.PK_OFFLINE, seat, key);
    await expect(gift.pkOffline({ ...own, userId: challenger.userId })).rejects.toMatchObject(notSigned);
    // A seat's signature is not a leave's.
    await expect(gift.pkOffline(signPkSeatOrder(GiftRpc.PK_ONLINE, leave, key))).rejects.toMatchObject(notSigned);
    await expect(gift.pkOnline(seat as PkSeatRequest)).rejects.toMatchObject({ code: 100001 });
    await expect(gift.pkOnline(signPkSeatOrder(GiftRpc.PK_ONLINE, seat, forgedKey))).rejects.toMatchObject(notSigned);
    const state = (await anchor.client.post('/living/pkState', { roomId })).body.data;
    expect([state.challengerId, state.endReason]).toEqual([challenger.userId, '']); // '' while running

    // The gateway's signature of the challenger's own leave is carried out.
    await expect(gift.pkOffline(signPkSeatOrder(GiftRpc.PK_OFFLINE, leave, key))).resolves.toEqual({
      pkId: state.pkId,
    });
  });

  it("gift.pk.session-ended ends nobody's PK while they are connected: the RPC key alone does not end a challenger's seat, their socket's close does", async () => {
    // The stop-34 review's list: any holder of the internal key ended anyone's PKs by saying their session ended.
    const anchor = await login();
    const roomId = (await anchor.client.post('/living/startingLiving', { type: 1 })).body.data.roomId;
    const challenger = await login();
    const im = (await challenger.client.post('/im/getImConfig')).body.data;
    const ws = (await ImTestClient.connect(im.wsImServerAddress, im.token, roomId)).startHeartbeat(5_000);
    sockets.push(ws);
    const { pkId } = (await challenger.client.post('/living/onlinePK', { roomId })).body.data;
    const gift = new GiftClient(client(stack.ports.giftRpc));
    const state = async () => (await anchor.client.post('/living/pkState', { roomId })).body.data;

    expect(
      await rawExchange(stack.ports.giftRpc, nestFrame(GiftRpc.PK_SESSION_ENDED, { userId: challenger.userId })),
    ).toEqual(REFUSED);
    await expect(gift.pkSessionEnded(challenger.userId)).resolves.toEqual({ ended: 0 });
    expect(await state()).toMatchObject({ pkId, challengerId: challenger.userId, endReason: '' });
    expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
      `gift.pk.session-ended for user ${challenger.userId} refused, nothing ended: still connected to ${process.env.IM_CORE_NODE_ID}`,
    );

    // The genuine end: the challenger's last socket closes, im-core removes its binding and tells gift-service.
    ws.close();
    await waitFor('the PK ended by the session end', async () => (await state()).endReason === 'session', 10_000);
    expect(await state()).toMatchObject({ pkId, endReason: 'session' });
  });

  it('a forged 5556 sent to im-router or straight to im-core, for the room or for one user, reaches nobody', async () => {
    const anchor = await login();
    const roomId = await startLiving(anchor.client);
    const viewer = await login();
    const im = (await viewer.client.post('/im/getImConfig')).body.data;
    const ws = (await ImTestClient.connect(im.wsImServerAddress, im.token, roomId)).startHeartbeat(5_000);
    sockets.push(ws);
    const effect = {
      requestId: 'forged',
      giftId: 1,
      giftName: 'Rocket',
      svgaUrl: 'https://evil.example/x.svga',
      senderId: 1,
      receiverId: anchor.userId,
      roomId,
      combo: 99,
      count: 1,
    };
    const forged: [number, string, object][] = [
      [
        stack.ports.router,
        ImRouterRpc.SEND_TO_ROOMS,
        { messages: [{ msgId: 'forged-rooms', roomId, bizCode: ImBizCode.GIFT_SUCCESS, data: effect }] },
      ],
      [
        stack.ports.router,
        ImRouterRpc.SEND_MSG,
        { msgId: 'forged-user', userId: viewer.userId, bizCode: ImBizCode.GIFT_SUCCESS, data: effect },
      ],
      [
        stack.ports.imRpc,
        ImCoreRpc.PUSH_TO_ROOMS,
        { messages: [{ msgId: 'forged-core-room', roomId, bizCode: ImBizCode.GIFT_SUCCESS, data: effect }] },
      ],
      [
        stack.ports.imRpc,
        ImCoreRpc.PUSH,
        { msgId: 'forged-core-user', userIds: [viewer.userId], bizCode: ImBizCode.GIFT_SUCCESS, data: effect },
      ],
    ];
    for (const [port, pattern, data] of forged) {
      expect(await rawExchange(port, nestFrame(pattern, data))).toEqual(REFUSED);
      expect(await rawExchange(port, signedFrame(outsider, pattern, data))).toEqual(REFUSED);
    }
    // Every forged connection was closed before a handler ran; a genuine push sent now is the first
    // and only message the room gets.
    await new ImRouterClient(client(stack.ports.router)).sendToRoom({
      msgId: 'genuine',
      roomId,
      bizCode: ImBizCode.GIFT_SUCCESS,
      data: { ...effect, requestId: 'genuine' },
    });
    await waitFor('the genuine push', () => ws.business().length > 0, 10_000);
    expect(ws.business().map((b) => b.msgId)).toEqual(['genuine']);
  });

  it('a signed payload with an object of 60,000 fields is refused by name before class-transformer copies it (it held the pipe 1.85 s)', async () => {
    const wide = { userId: 424243, ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`f${i}`, i])) };
    const answered = await rawExchange(stack.ports.bankRpc, signedFrame(insider, BankRpc.GET_BALANCE, wide));
    expect(answered.answer).toContain('the payload has an object of more than 256 fields');
    expect(answered.answer).not.toContain('"balance"');
    await expect(new BankClient(client(stack.ports.bankRpc)).balance(424243)).resolves.toMatchObject({ balance: 0 });
  });

  it("a caller that sends without reading its answers is no longer read: the listener's queue stays bounded, and every call is answered once it reads", async () => {
    // One answer's size, and what the kernel can hold of a connection's answers at most (the listener's send buffer,
    // the caller's receive buffer): the caller sends twice as many as those and the listener's bound could hold.
    const one = await rawExchange(stack.ports.giftRpc, signedFrame(insider, GiftRpc.LIST_PANEL, {}));
    const answerChars = one.answer.length;
    const largest = (file: string): number => Number(readFileSync(file, 'utf8').trim().split(/\s+/).at(-1));
    const held =
      largest('/proc/sys/net/ipv4/tcp_wmem') + largest('/proc/sys/net/ipv4/tcp_rmem') + 2 * RPC_MAX_UNSENT_ANSWER_CHARS;
    const calls = Math.ceil((2 * held) / answerChars);
    const connection = RpcAuth.newConnectionId();
    const wire = Array.from({ length: calls }, (_, i) => {
      const json = JSON.stringify({ pattern: { cmd: GiftRpc.LIST_PANEL }, data: {}, id: `unread-${i}` });
      const content = insider.seal('request', json, `${connection}.${i + 1}`);
      return `${content.length}#${content}`;
    }).join('');
    const served = (): number => (stack.gift.get(HealthDetails).read().rpc as { served: number }).served;
    const before = served();
    const socket = connect(stack.ports.giftRpc, '127.0.0.1');
    try {
      socket.pause(); // reads nothing
      await once(socket, 'connect');
      socket.write(wire);
      let last = -1;
      await waitFor(
        'the listener to stop answering a caller that reads nothing',
        () => {
          const now = served();
          const stalled = now === last && now > before;
          last = now;
          return stalled;
        },
        20_000,
        1_000,
      );
      // Without the bound every call is answered into the listener's memory: twice what could be held.
      expect((served() - before) * answerChars).toBeLessThan(held);
      await expect(new GiftClient(client(stack.ports.giftRpc)).config(1)).resolves.toMatchObject({
        gift: { giftId: 1 },
      });

      const ids = new Set<string>();
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        for (const m of text.matchAll(/"id":"(unread-\d+)"/g)) ids.add(m[1]);
        text = text.slice(Math.max(0, text.lastIndexOf('"id":"unread-'))); // an id cut by the chunk's end stays
      });
      let closed = false;
      socket.on('close', () => (closed = true));
      socket.resume();
      await waitFor(`all ${calls} calls answered`, () => ids.size === calls, 60_000);
      expect(served() - before).toBe(calls + 1); // each call once, and the genuine client's
      expect(closed).toBe(false);
    } finally {
      socket.destroy();
    }
  });

  it('garbage on any RPC port closes that connection only: each service keeps serving signed callers', async () => {
    const junk = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 131 + 7) % 256));
    const garbage: (string | Buffer)[] = [
      junk,
      'not a frame, and no length prefix either',
      '5#abcde',
      '99999999999#{',
      '3#{}}',
      `2#""`,
    ];
    const ports = [stack.ports.bankRpc, stack.ports.giftRpc, stack.ports.router, stack.ports.imRpc];
    for (const port of ports) for (const g of garbage) expect(await rawExchange(port, g)).toEqual(REFUSED);

    await expect(new BankClient(client(stack.ports.bankRpc)).balance(424242)).resolves.toMatchObject({ balance: 0 });
    await expect(new GiftClient(client(stack.ports.giftRpc)).config(1)).resolves.toMatchObject({ gift: { giftId: 1 } });
    await expect(new ImRouterClient(client(stack.ports.router)).roomMembers(999_999)).resolves.toEqual({ userIds: [] });
    await expect(new ImCoreClient(client(stack.ports.imRpc)).roomMembers(999_999)).resolves.toEqual({ userIds: [] });
    expect((await http.post('/bank/balance')).status).toBe(401); // the gateway is up, and still asks for a login
  });

  it('RPC listens on RPC_BIND_HOST while HTTP keeps BIND_HOST', async () => {
    const [httpPort, rpcPort] = portBlock(2);
    const settings: Record<string, string> = {
      BIND_HOST: '127.0.0.1',
      RPC_BIND_HOST: '127.0.0.2',
      IM_ROUTER_HTTP_PORT: String(httpPort),
      IM_ROUTER_RPC_PORT: String(rpcPort),
    };
    const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
    Object.assign(process.env, settings);
    let app: NestFastifyApplication | undefined;
    try {
      app = await runApp({
        app: 'im-router',
        module: ImRouterModule,
        env: ImRouterEnv,
        listen: (e) => ({ host: e.BIND_HOST, http: e.IM_ROUTER_HTTP_PORT, rpc: e.IM_ROUTER_RPC_PORT }),
      });
      expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBe(200);
      expect((await rawExchange(rpcPort, '5#abcde', '127.0.0.1')).connected).toBe(false);
      const there = createRpcClient('rpc-auth-e2e', { host: '127.0.0.2', port: rpcPort });
      clients.push(there);
      await expect(new ImRouterClient(there).roomMembers(999_998)).resolves.toEqual({ userIds: [] });
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await app?.close();
    }
  });
});
