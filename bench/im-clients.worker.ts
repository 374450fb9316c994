/**
 * Simulated WebSocket clients for bench/im-broadcast, in a worker thread so their work (parsing,
 * masking acks) runs beside the server instead of stealing its CPU. Relative imports only:
 * a worker does not inherit the main thread's module resolution.
 *
 * in:  { type: 'open', urls: string[], ack: boolean, expected: number }
 * out: { type: 'progress', open } ... { type: 'opened' }, then { type: 'done', seq } once every socket got message `seq`.
 * Messages come one per frame (1003, acked by msgId) or, to sockets whose URL says `batch=1`, several per
 * frame (1006, acked once by frameId).
 */
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';
import { ackFrame, frameAckFrame, IM_CODE, messagesOf } from './support/im-frames';

interface OpenCommand {
  type: 'open';
  urls: string[];
  ack: boolean;
  expected: number;
}

const port = parentPort;
if (!port) throw new Error('im-clients.worker must run as a worker thread');
const counts = new Map<number, number>();
const sockets: WebSocket[] = [];

port.on('message', (cmd: OpenCommand | { type: 'close' }) => {
  if (cmd.type === 'close') {
    for (const ws of sockets) ws.terminate();
    return;
  }
  let next = 0;
  const open = async (): Promise<void> => {
    for (let i = next++; i < cmd.urls.length; i = next++) {
      const ws = new WebSocket(cmd.urls[i]);
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { code?: number; body?: { msgId: string; frameId: number } };
        const messages = messagesOf<{ msgId: string; data: { seq: number } }>(frame);
        if (messages.length === 0) return;
        if (cmd.ack)
          ws.send(frame.code === IM_CODE.BATCH ? frameAckFrame(frame.body!.frameId) : ackFrame(frame.body!.msgId));
        for (const m of messages) {
          const seq = m.data.seq;
          const n = (counts.get(seq) ?? 0) + 1;
          counts.set(seq, n);
          if (n === cmd.expected) port.postMessage({ type: 'done', seq });
        }
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      sockets.push(ws);
      if (sockets.length % 1000 === 0) port.postMessage({ type: 'progress', open: sockets.length });
    }
  };
  void Promise.all(Array.from({ length: 50 }, open)).then(() => port.postMessage({ type: 'opened' }));
});
