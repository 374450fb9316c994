/**
 * CPU per validation of the two hottest contracts, class-validator (plainToInstance + validateSync) versus
 * the compiled checker (compiledCheckerOf), in one run: a send_gift message (SendGiftMq, gift-service
 * decodes each one) and a 500-item settlement batch (BatchConsumeForSendGiftRequest, bank-service checks
 * each call). Usage:
 *   npm run build && node scripts/run-app.js bench/contract-validation.bench.js [--rounds N]
 */
import {
  BatchConsumeForSendGiftRequest,
  compiledCheckerOf,
  orderSignatureOf,
  SendGiftMq,
  SendGiftType,
  slowValidatePayload,
  validatePayload,
} from '@live/contracts';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20000' } } });
const rounds = Number(args.rounds);

const mq = (i: number): SendGiftMq => ({
  userId: 100 + (i % 40),
  giftId: 7,
  giftName: 'Rose',
  price: 50,
  receiverId: 202,
  roomId: 3003,
  url: 'https://cdn.example/gift/7.svga',
  requestId: `101:tap-${i}`,
  type: SendGiftType.DEFAULT,
  sendTime: 1_764_000_000_000 + i,
  sigKeyId: 'k1',
  sig: 'A'.repeat(43),
});
const gifts = Array.from({ length: 1000 }, (_, i) => JSON.parse(JSON.stringify(mq(i))) as object);
const batch = JSON.parse(
  JSON.stringify({
    items: Array.from({ length: 500 }, (_, i) => {
      const m = mq(i);
      const { requestId, userId: senderId, receiverId, roomId, giftId, price } = m;
      return { requestId, senderId, receiverId, roomId, giftId, price, signed: orderSignatureOf(m) };
    }),
  }),
) as object;

/** CPU µs per call of `fn` over `n` calls (after a warm-up of the same length). */
function cpuMicros(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < n; i++) fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

function row(name: string, n: number, slow: (i: number) => unknown, fast: (i: number) => unknown): void {
  const s = cpuMicros(n, slow);
  const f = cpuMicros(n, fast);
  console.log(
    `${name.padEnd(34)} class-validator ${s.toFixed(2).padStart(9)} µs   compiled ${f.toFixed(2).padStart(8)} µs   ${(s / f).toFixed(1)}x`,
  );
}

const must = <T>(r: { ok: boolean; value?: T }): T => {
  if (!r.ok) throw new Error('bench value refused');
  return r.value as T;
};
must(validatePayload(SendGiftMq, gifts[0]));
if (
  !compiledCheckerOf(SendGiftMq)?.(gifts[0], false) ||
  !compiledCheckerOf(BatchConsumeForSendGiftRequest)?.(batch, true)
)
  throw new Error('the compiled checker declines the bench values');

row(
  'SendGiftMq (one message)',
  rounds,
  (i) => must(slowValidatePayload(SendGiftMq, gifts[i % 1000])),
  (i) => must(validatePayload(SendGiftMq, gifts[i % 1000])),
);
row(
  'settlement batch (500 items)',
  Math.max(20, Math.floor(rounds / 500)),
  () => must(slowValidatePayload(BatchConsumeForSendGiftRequest, batch)),
  () => must(validatePayload(BatchConsumeForSendGiftRequest, batch)),
);
