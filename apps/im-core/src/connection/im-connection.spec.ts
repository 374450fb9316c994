import { PassThrough } from 'node:stream';
import type WebSocket from 'ws';
import { ImCoreEnv } from '../config/im-core.env';
import { ImPushService } from '../push/im-push.service';
import { ConnectionRegistry } from './connection-registry';
import { ImConnection } from './im-connection';

/** A ws stand-in that writes each frame to the TCP stream the way ws does (header + payload). */
function fakeWs(socket: PassThrough): WebSocket {
  return {
    readyState: 1,
    OPEN: 1,
    send: (frame: Buffer) => {
      socket.write(Buffer.from([0x81, frame.length]));
      socket.write(frame);
    },
  } as unknown as WebSocket;
}

describe('ImConnection.write', () => {
  it('sends every frame of one tick in one batched write, uncorked on the next tick', async () => {
    const socket = new PassThrough();
    const writev = jest.fn((chunks: { chunk: Buffer }[], cb: () => void) => cb());
    const single = jest.fn((_c: Buffer, _e: string, cb: () => void) => cb());
    (socket as unknown as { _writev: typeof writev })._writev = writev;
    (socket as unknown as { _write: typeof single })._write = single;
    const conn = new ImConnection(fakeWs(socket), 7, socket);

    conn.write(Buffer.from('a'));
    conn.write(Buffer.from('bb'));
    conn.write(Buffer.from('ccc'));
    expect(writev).not.toHaveBeenCalled();
    expect(socket.writableCorked).toBe(1);

    await new Promise((r) => process.nextTick(r));
    expect(socket.writableCorked).toBe(0);
    expect(single).not.toHaveBeenCalled();
    expect(writev).toHaveBeenCalledTimes(1);
    expect(writev.mock.calls[0][0].map((c) => c.chunk.toString('latin1')).join('')).toBe(
      '\x81\x01a\x81\x02bb\x81\x03ccc',
    );

    conn.write(Buffer.from('d'));
    await new Promise((r) => process.nextTick(r));
    expect(socket.writableCorked).toBe(0);
    expect(writev.mock.calls.length + single.mock.calls.length).toBe(2);
  });

  it('writes nothing to a socket that is no longer open', () => {
    const socket = new PassThrough();
    const ws = { readyState: 3, OPEN: 1, send: jest.fn() } as unknown as WebSocket;
    new ImConnection(ws, 7, socket).write(Buffer.from('x'));
    expect((ws.send as jest.Mock).mock.calls).toHaveLength(0);
    expect(socket.writableCorked).toBe(0);
  });
});

describe('ImConnection bounds', () => {
  const limits = (over: Partial<{ maxBufferedBytes: number; maxPending: number; maxPendingBytes: number }> = {}) => ({
    maxBufferedBytes: 1_000,
    maxPending: 3,
    onSlowConsumer: jest.fn(),
    ...over,
  });

  it('keeps at most maxPending unacked messages: the oldest is given up first', () => {
    const conn = new ImConnection({ readyState: 1, OPEN: 1 } as unknown as WebSocket, 7, undefined, limits());
    const p = (messages = 1) => ({ frame: Buffer.from('x'), sentAt: 0, attempts: 1, messages, ownBytes: 1 });
    expect(['a', 'b', 'c'].map((id) => conn.track(id, p()))).toEqual([0, 0, 0]);
    expect(conn.track('d', p())).toBe(1);
    expect([...conn.pending.keys()]).toEqual(['b', 'c', 'd']);
  });

  it('counts the messages of a batch frame against maxPending, and frees them when the frame is settled', () => {
    const conn = new ImConnection({ readyState: 1, OPEN: 1 } as unknown as WebSocket, 7, undefined, limits());
    const p = (messages: number) => ({ frame: Buffer.from('x'), sentAt: 0, attempts: 1, messages, ownBytes: 1 });
    expect(conn.track('a', p(1))).toBe(0);
    expect(conn.track('#1', p(2))).toBe(0);
    expect(conn.track('#2', p(2))).toBe(3); // 5 > 3: 'a' goes (1 message), then 4 > 3: '#1' too (2 more)
    expect([...conn.pending.keys()]).toEqual(['#2']);
    expect(conn.settle('#2')).toBe(true);
    expect(conn.settle('#2')).toBe(false);
    expect(conn.track('b', p(1))).toBe(0);
    expect(conn.track('#3', p(2))).toBe(0); // 3 messages: within the bound
  });

  it('keeps at most maxPendingBytes of unacked frames: the oldest are given up first, the newest always kept', () => {
    const conn = new ImConnection(
      { readyState: 1, OPEN: 1 } as unknown as WebSocket,
      7,
      undefined,
      limits({ maxPending: 1_000, maxPendingBytes: 1_000 }),
    );
    const p = (bytes: number, messages = 1) => ({
      frame: Buffer.alloc(bytes),
      sentAt: 0,
      attempts: 1,
      messages,
      ownBytes: bytes,
    });
    expect(conn.track('a', p(400))).toBe(0);
    expect(conn.track('#1', p(400, 3))).toBe(0);
    expect(conn.track('b', p(300))).toBe(1); // 1,100 bytes: 'a' goes
    expect([...conn.pending.keys()]).toEqual(['#1', 'b']);
    expect(conn.settle('#1')).toBe(true); // its bytes freed: 300 kept
    expect(conn.track('c', p(700))).toBe(0);
    expect(conn.track('d', p(5_000))).toBe(2); // larger than the bound alone: kept, every older frame given up
    expect([...conn.pending.keys()]).toEqual(['d']);
    expect(conn.track('e', p(10))).toBe(1);
    expect([...conn.pending.keys()]).toEqual(['e']);
    conn.release();
    expect(conn.track('f', p(999))).toBe(0);
  });

  it('a write that leaves more than maxBufferedBytes unsent makes it a slow consumer: once, its pending freed, nothing more written', () => {
    const ws: { readyState: number; OPEN: number; bufferedAmount: number; send: jest.Mock } = {
      readyState: 1,
      OPEN: 1,
      bufferedAmount: 0,
      send: jest.fn(),
    };
    ws.send.mockImplementation((f: Buffer) => (ws.bufferedAmount += f.length));
    const bounds = limits();
    const conn = new ImConnection(ws as unknown as WebSocket, 7, undefined, bounds);
    conn.track('m', { frame: Buffer.alloc(1), sentAt: 0, attempts: 1, messages: 1, ownBytes: 1 });
    conn.write(Buffer.alloc(600));
    expect(bounds.onSlowConsumer).not.toHaveBeenCalled();
    conn.write(Buffer.alloc(600));
    expect(bounds.onSlowConsumer).toHaveBeenCalledTimes(1);
    expect(conn.pending.size).toBe(0);
    expect(conn.open).toBe(false);
    conn.write(Buffer.alloc(600));
    expect(ws.send).toHaveBeenCalledTimes(2);
    expect(bounds.onSlowConsumer).toHaveBeenCalledTimes(1);
  });
});

describe('ImConnection ack credits', () => {
  const frame = () => ({ frame: Buffer.from('x'), sentAt: 0, attempts: 1, messages: 1, ownBytes: 0 });
  const open = () => new ImConnection({ readyState: 1, OPEN: 1 } as unknown as WebSocket, 7);

  it('one per frame written that asks for an ack; an ack takes `count` of them, at least one left to take', () => {
    const conn = open();
    for (const id of ['#1', '#2', '#3']) conn.track(id, frame());
    expect(conn.takeAckCredit(2)).toBe(true);
    expect(conn.takeAckCredit(5)).toBe(true); // the last one, though it names more
    expect(conn.takeAckCredit()).toBe(false);
  });

  it('a 1005 { frameIds } takes as many credits as the frames it names, as that many single acks would', () => {
    const push = new ImPushService(
      {} as ConnectionRegistry,
      {
        IM_DEDUP_WINDOW: 8,
        IM_DEDUP_TTL_MS: 1_000,
        IM_MAX_BATCH_MESSAGES: 64,
        IM_MAX_PENDING_PER_SOCKET: 100,
      } as ImCoreEnv,
    );
    const conn = open();
    for (const id of [1, 2, 3, 4, 5, 6]) conn.track(`#${id}`, frame());
    expect(push.ack(conn, { frameIds: [1, 2, 3, 4, 5] })).toBe('acked');
    expect([...conn.pending.keys()]).toEqual(['#6']);
    // 6 written, 4 taken by the ack itself, 1 by the server for its frame (im-websocket.server): 1 left.
    expect([conn.takeAckCredit(), conn.takeAckCredit(), conn.takeAckCredit()]).toEqual([true, true, false]);
  });
});
