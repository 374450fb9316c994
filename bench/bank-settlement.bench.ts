/**
 * bank-service settlement throughput, batched vs naive, measured in one run on the real database.
 *
 *   npm run bench:bank [-- --gifts 20000 --batch 500 --naive 2000]
 *
 * batched: the gift consumer's path, BATCH gifts per transaction, 2 batches in flight (2 partitions);
 * naive:   one transaction per gift (the original design's shape), 16 in flight.
 * Prints gifts/s for each and the ratio; the database is a throwaway one.
 */
import { uniqueName } from '@live/testing';
import { createTestDatabase } from '@live/testing';
import { NestFactory } from '@nestjs/core';
import { BankServiceModule } from '../apps/bank-service/src/bank-service.module';
import { TradeType } from '../apps/bank-service/src/account/entities/currency-trade.entity';
import { CurrencyAccountService } from '../apps/bank-service/src/account/currency-account.service';
import { GiftSettlementService } from '../apps/bank-service/src/settlement/gift-settlement.service';
import { SettlementItem } from '../apps/bank-service/src/settlement/settlement-planner';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number, label: string): Promise<void> {
  let done = 0;
  const total = tasks.length;
  const timer = setInterval(() => process.stdout.write(`  ${label}: ${done}/${total} tasks\n`), 2000);
  const queue = [...tasks];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        await t();
        done += 1;
      }
    }),
  );
  clearInterval(timer);
}

async function main(): Promise<void> {
  const gifts = arg('gifts', 20_000);
  const batch = arg('batch', 500);
  const naiveGifts = arg('naive', 2_000);
  const db = await createTestDatabase();
  Object.assign(process.env, {
    DB_NAME: db.name,
    REDIS_KEY_PREFIX: uniqueName('bench'),
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '20',
  });
  const app = await NestFactory.createApplicationContext(BankServiceModule, { logger: ['warn', 'error'] });
  try {
    const accounts = app.get(CurrencyAccountService);
    const settlement = app.get(GiftSettlementService);
    const senders = Array.from({ length: 2000 }, (_, i) => 100_000 + i);
    const anchors = Array.from({ length: 50 }, (_, i) => 900_000 + i);
    console.log(`funding ${senders.length} senders...`);
    await runPool(
      senders.map(
        (userId) => () =>
          accounts.adjust({
            userId,
            num: 1_000_000,
            requestId: `fund-${userId}`,
            type: TradeType.MANUAL_CREDIT,
            createIfMissing: true,
          }),
      ),
      16,
      'funding',
    );
    let n = 0;
    const item = (): SettlementItem => {
      n += 1;
      return {
        requestId: `b${n}`,
        senderId: senders[(n * 7919) % senders.length],
        receiverId: anchors[n % anchors.length],
        roomId: n % 1000,
        giftId: 1,
        price: 1 + (n % 20),
      };
    };

    console.log(`batched: ${gifts} gifts in batches of ${batch}, 2 in flight`);
    const batches = Array.from({ length: Math.ceil(gifts / batch) }, () => Array.from({ length: batch }, item));
    let t0 = process.hrtime.bigint();
    await runPool(
      batches.map((b) => () => settlement.settleBatch(b)),
      2,
      'batched',
    );
    const batchedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const batchedRate = (batches.length * batch) / batchedSeconds;

    console.log(`naive: ${naiveGifts} gifts, one transaction each, 16 in flight`);
    const singles = Array.from({ length: naiveGifts }, item);
    t0 = process.hrtime.bigint();
    await runPool(
      singles.map((g) => () => settlement.settleBatch([g])),
      16,
      'naive',
    );
    const naiveSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const naiveRate = naiveGifts / naiveSeconds;

    const rows = [
      {
        mode: 'batched (one transaction per batch)',
        gifts: batches.length * batch,
        seconds: batchedSeconds.toFixed(2),
        giftsPerSecond: Math.round(batchedRate),
      },
      {
        mode: 'naive (one transaction per gift)',
        gifts: naiveGifts,
        seconds: naiveSeconds.toFixed(2),
        giftsPerSecond: Math.round(naiveRate),
      },
    ];
    console.table(rows);
    console.log(`batched / naive = ${(batchedRate / naiveRate).toFixed(1)}x`);
    console.log(JSON.stringify({ bench: 'bank-settlement', batch, rows, ratio: batchedRate / naiveRate }));
  } finally {
    await app.close();
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
