/**
 * WebSocket viewers for bench/gift-path, in a worker thread: they log in, ack every message as real
 * clients do, and time each gift effect (5556) from the send time the bench wrote into the request id
 * (`<user>:g-<seq>-<epoch ms with fraction>`) to its arrival here. Relative imports only: a worker does not
 * inherit the main thread's module aliases.
 *
 * in:  { type: 'open', sockets: { url: string }[] } | { type: 'flush' } | { type: 'close' }
 * out: { type: 'opened', failed }, { type: 'samples', latencies: number[], effects: number, failures: number, duplicates: number }
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { ackFrame, HEARTBEAT_FRAME, IM_BIZ, IM_CODE } from './im-frames';

const port = parentPort;
if (!port) throw new Error('ws-observers.worker must run as a worker thread');
const sockets: WebSocket[] = [];
let latencies: number[] = [];
let effects = 0;
let failures = 0;
let duplicates = 0;
const seen = new Map<WebSocket, Set<string>>();
const tcp = new Map<WebSocket, Socket>();
/**
 * Acks not sent yet, by socket. Each message is acked (API.md); a phone sends the acks of the last
 * ACK_EVERY_MS in one write, as mobile clients do to spare radio wake-ups (the server resends only
 * after seconds). workerData.ackEveryMs = 0: each ack at once.
 */
const unacked = new Map<WebSocket, string[]>();
const ACK_EVERY_MS = Number((workerData as { ackEveryMs?: number } | null)?.ackEveryMs ?? 100);

function queueAck(ws: WebSocket, msgId: string): void {
  if (ACK_EVERY_MS === 0) return ws.send(ackFrame(msgId));
  const list = unacked.get(ws);
  if (list) list.push(msgId);
  else unacked.set(ws, [msgId]);
}

function sendAcks(): void {
  for (const [ws, msgIds] of unacked) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    const socket = tcp.get(ws);
    socket?.cork();
    for (const msgId of msgIds) ws.send(ackFrame(msgId));
    socket?.uncork();
  }
  unacked.clear();
}
if (ACK_EVERY_MS > 0) setInterval(sendAcks, ACK_EVERY_MS).unref();
const now = (): number => performance.timeOrigin + performance.now();

/** msgId, bizCode and the gift's requestId of a 1003 frame, read without parsing the whole frame (the worker reads ~20 frames per gift). */
const BIZ_FRAME = /^{"magic":\d+,"code":1003,.*?"msgId":"([^"]+)".*?"bizCode":(\d+)/;
const REQUEST_ID = /"requestId":"[^"]*-(\d+\.?\d*)"/;

function onMessage(ws: WebSocket, raw: Buffer): void {
  const at = now();
  const text = raw.toString();
  const biz = BIZ_FRAME.exec(text);
  if (!biz) return;
  const [, msgId, bizCode] = biz;
  queueAck(ws, msgId);
  const mine = seen.get(ws)!;
  if (mine.has(msgId)) {
    duplicates += 1;
    return;
  }
  mine.add(msgId);
  if (Number(bizCode) === IM_BIZ.GIFT_FAIL) failures += 1;
  if (Number(bizCode) !== IM_BIZ.GIFT_SUCCESS) return;
  effects += 1;
  const sentAt = Number(REQUEST_ID.exec(text)?.[1]);
  if (Number.isFinite(sentAt)) latencies.push(at - sentAt);
}

port.on('message', (cmd: { type: 'open'; sockets: { url: string }[] } | { type: 'flush' } | { type: 'close' }) => {
  if (cmd.type === 'flush') {
    port.postMessage({ type: 'samples', latencies, effects, failures, duplicates });
    latencies = [];
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
      const ws = new WebSocket(cmd.sockets[i].url, { skipUTF8Validation: true });
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
