/**
 * Push observers for the gift audit (bench/support/gift-audit.ts), in a worker thread: plain `ws` clients
 * speaking API.md. Each logs in with an IM token into a room, acks every 1003 message with its whole
 * ImMsgBody (or, a seat that announced batch frames with `batch=1` on its URL, every 1006 frame with its
 * frameId), and records, per socket, how many times it got each msgId of a gift effect (5556) or a gift
 * failure (5557), whichever frame brought it. A socket that closes without being asked to is marked closed and its receipts are
 * dropped (it is no longer judged; memory stays bounded); the main thread may open a new one in its seat.
 * Relative imports only: a worker does not inherit the main thread's module aliases.
 *
 * in:  { type: 'open', seats: Seat[] } | { type: 'reopen', ...Seat }  (Seat: { seat, url, userId, roomId, batch }) | { type: 'collect' }
 *      | { type: 'close' }
 * out: { type: 'opened', failed: seat[] } | { type: 'reopened', seat, ok } | { type: 'closed', seat }
 *      | { type: 'record', sockets: ObservedSocket[] } | { type: 'closedAll' }
 */
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';
import { frameAckFrame, HEARTBEAT_FRAME, IM_BIZ, IM_CODE, IM_MAGIC, messagesOf } from './im-frames';

/** What one socket saw; the main thread judges it (gift-audit.ts). Times are epoch ms. */
export interface ObservedSocket {
  seat: number;
  userId: number;
  roomId: number;
  /** The socket announced batch frames (1006) at login. */
  batch: boolean;
  loginAt: number;
  /** Set when the socket closed without being asked to: then it is not judged. */
  closedAt: number | null;
  effects: [msgId: string, times: number][];
  failures: [msgId: string, times: number][];
  /** 5556 frames whose data.roomId is not this socket's room (a message to someone it was not addressed to). */
  foreignRoom: number;
}

interface Live {
  ws: WebSocket;
  record: Omit<ObservedSocket, 'effects' | 'failures'>;
  effects: Map<string, number>;
  failures: Map<string, number>;
}

if (!parentPort) throw new Error('push-observers.worker must run as a worker thread');
const port = parentPort;
const live: Live[] = [];
const closed: ObservedSocket[] = [];
let closing = false;

interface MsgBody {
  msgId?: string;
  bizCode?: number;
  data?: { roomId?: number };
}

function onMessage(s: Live, raw: Buffer): void {
  let frame: { code?: number; body?: MsgBody & { frameId?: number } };
  try {
    frame = JSON.parse(raw.toString()) as typeof frame;
  } catch {
    return;
  }
  const body = frame.body;
  if (frame.code === IM_CODE.BATCH && typeof body?.frameId === 'number') s.ws.send(frameAckFrame(body.frameId));
  else if (frame.code === IM_CODE.BIZ && typeof body?.msgId === 'string') {
    const text = JSON.stringify(body);
    s.ws.send(JSON.stringify({ magic: IM_MAGIC, code: IM_CODE.ACK, len: Buffer.byteLength(text), body }));
  } else return;
  for (const m of messagesOf<MsgBody>(frame)) {
    if (typeof m.msgId !== 'string') continue;
    if (m.bizCode === IM_BIZ.GIFT_SUCCESS) {
      s.effects.set(m.msgId, (s.effects.get(m.msgId) ?? 0) + 1);
      if (m.data?.roomId !== s.record.roomId) s.record.foreignRoom += 1;
    } else if (m.bizCode === IM_BIZ.GIFT_FAIL) s.failures.set(m.msgId, (s.failures.get(m.msgId) ?? 0) + 1);
  }
}

/** Opens one socket in `seat`; resolves whether it logged in. */
function openSeat({ seat, url, userId, roomId, batch }: Seat): Promise<boolean> {
  const ws = new WebSocket(url);
  const s: Live = {
    ws,
    record: { seat, userId, roomId, batch, loginAt: 0, closedAt: null, foreignRoom: 0 },
    effects: new Map(),
    failures: new Map(),
  };
  ws.on('error', () => undefined);
  return new Promise<boolean>((resolve) => {
    ws.on('message', function login(raw: Buffer) {
      const f = JSON.parse(raw.toString()) as { code?: number; body?: { error?: string } };
      if (f.code !== IM_CODE.LOGIN) return;
      ws.off('message', login);
      if (f.body?.error) return resolve(false);
      s.record.loginAt = Date.now();
      live.push(s);
      ws.on('message', (r: Buffer) => onMessage(s, r));
      resolve(true);
    });
    ws.once('close', () => {
      resolve(false);
      const i = live.indexOf(s);
      if (i < 0 || closing) return;
      live.splice(i, 1);
      closed.push({ ...s.record, closedAt: Date.now(), effects: [], failures: [] });
      port.postMessage({ type: 'closed', seat });
    });
  });
}

interface Seat {
  seat: number;
  /** The login URL (with `&batch=1` when `batch`). */
  url: string;
  userId: number;
  roomId: number;
  batch: boolean;
}
type Command = { type: 'open'; seats: Seat[] } | ({ type: 'reopen' } & Seat) | { type: 'collect' } | { type: 'close' };

port.on('message', (cmd: Command) => {
  if (cmd.type === 'collect') {
    const sockets: ObservedSocket[] = live.map((s) => ({
      ...s.record,
      effects: [...s.effects],
      failures: [...s.failures],
    }));
    port.postMessage({ type: 'record', sockets: [...sockets, ...closed] });
  } else if (cmd.type === 'close') {
    closing = true;
    for (const s of live) s.ws.terminate();
    port.postMessage({ type: 'closedAll' });
  } else if (cmd.type === 'reopen') {
    void openSeat(cmd).then((ok) => port.postMessage({ type: 'reopened', seat: cmd.seat, ok }));
  } else {
    let next = 0;
    const failed: number[] = [];
    const opener = async (): Promise<void> => {
      for (let i = next++; i < cmd.seats.length; i = next++) {
        if (!(await openSeat(cmd.seats[i]))) failed.push(cmd.seats[i].seat);
      }
    };
    void Promise.all(Array.from({ length: 20 }, opener)).then(() => port.postMessage({ type: 'opened', failed }));
  }
});

setInterval(() => {
  for (const s of live) if (s.ws.readyState === WebSocket.OPEN) s.ws.send(HEARTBEAT_FRAME);
}, 10_000).unref();
