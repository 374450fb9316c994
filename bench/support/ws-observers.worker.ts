/**
 * WebSocket viewers for bench/gift-path, in a worker thread: they log in, ack every message as real
 * clients do, and time each gift effect (5556) from the send time the bench wrote into the request id
 * (`<user>:g-<seq>-<epoch ms with fraction>`) to its arrival here. Relative imports only: a worker does not
 * inherit the main thread's module aliases.
 *
 * Each socket announces batch frames (`&batch=1` on its URL: a tick's messages in one 1006) unless its entry
 * says `batch: false`, or workerData.batch is false, or BENCH_IM_BATCH=0 (then one 1003 and one ack per
 * message). A batching socket acks the frames of each ACK_EVERY_MS in one 1005 `{ frameIds }` (BENCH_IM_MULTI_ACK=0:
 * one `{ frameId }` per frame, in the same write).
 *
 * in:  { type: 'open', sockets: { url: string, batch?: boolean }[] } | { type: 'flush' } | { type: 'close' }
 * out: { type: 'opened', failed }, { type: 'samples', latencies: number[], effects: number, failures: number, duplicates: number,
 *        gifts: [sentAt, first, last][] (epoch ms: each gift effect's send, and its receipt at its first and last socket) }
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { ackFrame, framesAckFrame, HEARTBEAT_FRAME, IM_BIZ, IM_CODE, MAX_FRAME_IDS_PER_ACK } from './im-frames';

const port = parentPort;
if (!port) throw new Error('ws-observers.worker must run as a worker thread');
const sockets: WebSocket[] = [];
let latencies: number[] = [];
let effects = 0;
let failures = 0;
let duplicates = 0;
/** Per gift effect (msgId) since the last flush: when it was sent, and when its first and its last socket got it. */
let giftTimes = new Map<string, [sentAt: number, first: number, last: number]>();
const seen = new Map<WebSocket, Set<string>>();
const tcp = new Map<WebSocket, Socket>();
/**
 * Acks not sent yet, by socket. Each message is acked (API.md); a phone sends the acks of the last
 * ACK_EVERY_MS in one write, as mobile clients do to spare radio wake-ups (the server resends only
 * after seconds). workerData.ackEveryMs = 0: each ack at once.
 */
const unacked = new Map<WebSocket, string[]>();
const options = (workerData ?? {}) as { ackEveryMs?: number; batch?: boolean; effectTimes?: boolean };
/** Keep each gift effect's times (giftTimes) unless workerData.effectTimes is false (a soak: minutes of gifts). */
const EFFECT_TIMES = options.effectTimes ?? true;
const ACK_EVERY_MS = Number(options.ackEveryMs ?? 100);
/** Batch frames unless told otherwise: workerData.batch, or BENCH_IM_BATCH=0 in the environment (`npm run bench`). */
const BATCH = options.batch ?? process.env.BENCH_IM_BATCH !== '0';

function queueAck(ws: WebSocket, msgId: string): void {
  if (ACK_EVERY_MS === 0) return ws.send(ackFrame(msgId));
  const list = unacked.get(ws);
  if (list) list.push(msgId);
  else unacked.set(ws, [msgId]);
}

/** Batching sockets ack several frames in one 1005 `{ frameIds }` unless BENCH_IM_MULTI_ACK=0. */
const MULTI_ACK = process.env.BENCH_IM_MULTI_ACK !== '0';

function sendAcks(): void {
  for (const [ws, msgIds] of unacked) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    const socket = tcp.get(ws);
    socket?.cork();
    const frameIds: number[] = [];
    for (const msgId of msgIds)
      if (MULTI_ACK && msgId.startsWith('#')) frameIds.push(Number(msgId.slice(1)));
      else ws.send(ackFrame(msgId));
    for (let i = 0; i < frameIds.length; i += MAX_FRAME_IDS_PER_ACK)
      ws.send(framesAckFrame(frameIds.slice(i, i + MAX_FRAME_IDS_PER_ACK)));
    socket?.uncork();
  }
  unacked.clear();
}
if (ACK_EVERY_MS > 0) setInterval(sendAcks, ACK_EVERY_MS).unref();
const now = (): number => performance.timeOrigin + performance.now();

/** msgId, bizCode and the gift's requestId of a 1003 frame, read without parsing the whole frame (the worker reads ~20 frames per gift). */
const BIZ_FRAME = /^{"magic":\d+,"code":1003,.*?"msgId":"([^"]+)".*?"bizCode":(\d+)/;
const REQUEST_ID = /"requestId":"[^"]*-(\d+\.?\d*)"/;
const BATCH_FRAME = /^{"magic":\d+,"code":1006,/;
const SENT_AT = /-(\d+\.?\d*)$/;

interface BatchBody {
  frameId: number;
  msgs: { msgId: string; bizCode: number; data?: { requestId?: string } }[];
}

/** A batch frame read once: its frameId and, per message, what record() needs. */
interface ReadFrame {
  frameId: number;
  msgs: { msgId: string; bizCode: number; sentAt: number }[];
}

/**
 * Batch frames read already, by their text: im-core writes one room's frame, the same bytes, to each of its
 * sockets (20 here), so the viewers parse it once, not once per socket (phones each parse their own, on their
 * own CPU; here one thread reads every socket, and what it spends per frame delays every later socket's receipt
 * time). A resent frame is the same text. Bounded: the oldest entries go past FRAMES_KEPT.
 */
const framesRead = new Map<string, ReadFrame>();
const FRAMES_KEPT = 4_096;

function readBatchFrame(text: string): ReadFrame {
  const known = framesRead.get(text);
  if (known) return known;
  const body = (JSON.parse(text) as { body: BatchBody }).body;
  const frame: ReadFrame = {
    frameId: body.frameId,
    msgs: body.msgs.map((m) => ({
      msgId: m.msgId,
      bizCode: m.bizCode,
      sentAt: Number(SENT_AT.exec(m.data?.requestId ?? '')?.[1]),
    })),
  };
  framesRead.set(text, frame);
  if (framesRead.size > FRAMES_KEPT) framesRead.delete(framesRead.keys().next().value as string);
  return frame;
}

function onMessage(ws: WebSocket, raw: Buffer): void {
  const at = now();
  const text = raw.toString();
  if (BATCH_FRAME.test(text)) {
    const frame = readBatchFrame(text);
    queueAck(ws, `#${frame.frameId}`);
    for (const m of frame.msgs) record(ws, at, m.msgId, m.bizCode, m.sentAt);
    return;
  }
  const biz = BIZ_FRAME.exec(text);
  if (!biz) return;
  const [, msgId, bizCode] = biz;
  queueAck(ws, msgId);
  record(ws, at, msgId, Number(bizCode), Number(REQUEST_ID.exec(text)?.[1]));
}

/** One message received at `at` (sent at `sentAt`, from its request id: NaN when it carries none). */
function record(ws: WebSocket, at: number, msgId: string, bizCode: number, sentAt: number): void {
  const mine = seen.get(ws)!;
  if (mine.has(msgId)) {
    duplicates += 1;
    return;
  }
  mine.add(msgId);
  if (bizCode === IM_BIZ.GIFT_FAIL) failures += 1;
  if (bizCode !== IM_BIZ.GIFT_SUCCESS) return;
  effects += 1;
  if (!Number.isFinite(sentAt)) return;
  latencies.push(at - sentAt);
  if (!EFFECT_TIMES) return;
  const times = giftTimes.get(msgId);
  if (!times) giftTimes.set(msgId, [sentAt, at, at]);
  else times[2] = at;
}

type Command = { type: 'open'; sockets: { url: string; batch?: boolean }[] } | { type: 'flush' } | { type: 'close' };

port.on('message', (cmd: Command) => {
  if (cmd.type === 'flush') {
    port.postMessage({ type: 'samples', latencies, effects, failures, duplicates, gifts: [...giftTimes.values()] });
    latencies = [];
    giftTimes = new Map();
    return;
  }
  if (cmd.type === 'close') {
    for (const ws of sockets) ws.terminate();
    return;
  }
  let next = 0;
  let failed = 0;
  const open = async (): Promise<void> => {
    for (let i = next++; i < cmd.sockets.length; i = next++) {
      const { url, batch = BATCH } = cmd.sockets[i];
      const ws = new WebSocket(batch ? `${url}&batch=1` : url, { skipUTF8Validation: true });
      seen.set(ws, new Set());
      ws.once('upgrade', (res) => tcp.set(ws, res.socket as Socket));
      ws.on('message', (raw: Buffer) => onMessage(ws, raw));
      ws.on('error', () => undefined);
      const ok = await new Promise<boolean>((resolve) => {
        ws.on('message', function logged(raw: Buffer) {
          const f = JSON.parse(raw.toString()) as { code?: number; body?: { error?: string } };
          if (f.code === IM_CODE.LOGIN) {
            ws.off('message', logged);
            resolve(!f.body?.error);
          }
        });
        ws.once('close', () => resolve(false));
      });
      if (!ok) failed += 1;
      sockets.push(ws);
    }
  };
  void Promise.all(Array.from({ length: 50 }, open)).then(() => {
    setInterval(() => {
      for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(HEARTBEAT_FRAME);
    }, 10_000).unref();
    port.postMessage({ type: 'opened', failed });
  });
});
