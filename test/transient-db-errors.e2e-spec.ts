import { KafkaTopic, ParkedMessage } from '@live/contracts';
import { SEED_GIFTS } from '@live/database';
import { HttpClient } from './support/http-client';
import { readParked } from './support/parked-reader';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, rechargeCoins, startLiving } from './support/test-users';
import { waitFor, waitForGiftRecords } from './support/wait-for';

/**
 * A gift accepted (200) while the database refuses the bank's writes for a reason that is not the gift's: the
 * old primary of a failover gone read-only, a statement cut by max_statement_time, a grant revoked under the
 * running app. gift-service must wait it out (an outage), not take the gift for a poison message: before
 * 2026-12-03 these errors were not known as outages, so after GIFT_BATCH_ISOLATE_AFTER tries the gift was set
 * aside alone, its refusal failed the same way, and it was parked undecided (never charged, never refused,
 * no 5557). The refusal is real MariaDB's: a trigger on the ledger table raises the errno the server gives.
 */
describe('accepted gifts while the database refuses writes for a while', () => {
  let stack: TestStack;
  let http: HttpClient;
  let parked: { messages: ParkedMessage[]; stop(): Promise<void> };
  const [giftId, , price] = SEED_GIFTS[0];

  beforeAll(async () => {
    stack = await startTestStack();
    http = new HttpClient(stack.baseUrl);
    parked = await readParked(stack.kafka, stack.topicPrefix + KafkaTopic.SEND_GIFT_PARKED);
  });

  afterAll(async () => {
    await stack?.sql('DROP TRIGGER IF EXISTS lg_refuse_ledger').catch(() => undefined);
    await parked?.stop();
    await stack?.close();
  });

  const balanceOf = async (userId: number): Promise<number> => {
    const [row] = await stack.sql('SELECT current_balance FROM t_qiyu_currency_account WHERE user_id = ?', [userId]);
    return Number(row.current_balance);
  };

  it.each([
    [1290, 'The MariaDB server is running with the --read-only option so it cannot execute this statement'],
    [1836, 'Running in read-only mode'],
    [1969, 'Query execution was interrupted (max_statement_time exceeded)'],
    [1142, "INSERT command denied to user 'gift'@'localhost' for table 't_qiyu_currency_trade'"],
  ])('errno %i for 4 s: the gift waits, then is charged once, with its record; nothing parked', async (errno, text) => {
    const anchor = await loginNewUser(http);
    const roomId = await startLiving(anchor.client);
    const viewer = await loginNewUser(http);
    await rechargeCoins(viewer.client, 60);
    const before = await balanceOf(viewer.userId);

    await stack.sql(
      `CREATE TRIGGER lg_refuse_ledger BEFORE INSERT ON t_qiyu_currency_trade FOR EACH ROW
       SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = ${errno}, MESSAGE_TEXT = '${text.replace(/'/g, "''")}'`,
    );
    let dropped = false;
    try {
      const sent = await viewer.client.post('/gift/send', { giftId, roomId, receiverId: anchor.userId });
      expect([sent.status, sent.body.code]).toEqual([200, 200]);
      const { requestId } = sent.body.data;
      // Past GIFT_BATCH_ISOLATE_AFTER (3) tries and their backoff, when a poison message is parked.
      await new Promise((r) => setTimeout(r, 4_000));
      const tradesMeanwhile = await stack.sql('SELECT id FROM t_qiyu_currency_trade WHERE request_id = ?', [requestId]);
      expect([tradesMeanwhile.length, await balanceOf(viewer.userId)]).toEqual([0, before]);

      await stack.sql('DROP TRIGGER lg_refuse_ledger');
      dropped = true;
      await waitForGiftRecords(stack.db.dataSource, [requestId]);
      const trades = await stack.sql(
        'SELECT user_id, direction, num, status FROM t_qiyu_currency_trade WHERE request_id = ? ORDER BY direction',
        [requestId],
      );
      expect(trades.map((t) => [t.user_id, t.direction, t.num, t.status].map(Number))).toEqual([
        [viewer.userId, 1, -price, 1],
        [anchor.userId, 2, price, 1],
      ]);
      expect(await balanceOf(viewer.userId)).toBe(before - price);
      await waitFor('the effect pushed', () => stack.pushes!.pushedIds().has(requestId), 10_000);
      expect(parked.messages.filter((p) => JSON.stringify(p).includes(requestId))).toEqual([]);
    } finally {
      if (!dropped) await stack.sql('DROP TRIGGER IF EXISTS lg_refuse_ledger');
    }
  });
});
