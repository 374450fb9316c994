import { PassThrough } from 'node:stream';
import type WebSocket from 'ws';
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
    expect(writev.mock.calls[0][0].map((c) => c.chunk.toString('latin1')).join('')).toBe('\x81\x01a\x81\x02bb\x81\x03ccc');

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
