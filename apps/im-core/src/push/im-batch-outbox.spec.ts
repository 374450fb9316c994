import type WebSocket from 'ws';
import { ImConnection } from '../connection/im-connection';
import { BatchFrame, ImBatchOutbox } from './im-batch-outbox';

const conn = (userId: number) => new ImConnection({ readyState: 1, OPEN: 1 } as unknown as WebSocket, userId);

describe('ImBatchOutbox', () => {
  it("writes a tick's messages at the end of the tick, one buffer for every socket that got the same ones", async () => {
    const written: [ImConnection, BatchFrame][] = [];
    const outbox = new ImBatchOutbox(64, (c, f) => written.push([c, f]));
    const [a, b, c] = [conn(1), conn(2), conn(3)];
    const m1 = outbox.message('{"msgId":"m1"}');
    const m2 = outbox.message('{"msgId":"m2"}');
    for (const x of [a, b, c]) outbox.add(x, m1);
    for (const x of [a, c]) outbox.add(x, m2); // b excluded from m2
    expect(written).toEqual([]);

    await new Promise((r) => setImmediate(r));
    expect(written.map(([x]) => x)).toEqual([a, b, c]);
    const [fa, fb, fc] = written.map(([, f]) => f);
    expect(fa.frame).toBe(fc.frame); // encoded once
    expect(fb.frame).not.toBe(fa.frame);
    expect(JSON.parse(fa.frame.toString())).toEqual({
      magic: 18673,
      code: 1006,
      len: Buffer.byteLength(`{"frameId":${fa.frameId},"msgs":[{"msgId":"m1"},{"msgId":"m2"}]}`),
      body: { frameId: fa.frameId, msgs: [{ msgId: 'm1' }, { msgId: 'm2' }] },
    });
    expect(JSON.parse(fb.frame.toString()).body).toEqual({ frameId: fb.frameId, msgs: [{ msgId: 'm1' }] });
    expect([fa.messages, fb.messages]).toEqual([2, 1]);
    expect(fa.frameId).not.toBe(fb.frameId);
  });

  it("marks a frame holding a message to one user or socket as that socket's own (its bytes bounded per socket), a room's only as shared", () => {
    const frames: BatchFrame[] = [];
    const outbox = new ImBatchOutbox(64, (_c, f) => frames.push(f));
    const [a, b] = [conn(1), conn(2)];
    const room = outbox.message('{"msgId":"r"}');
    const mine = outbox.message('{"msgId":"h:1"}', true);
    outbox.add(a, room);
    outbox.add(b, room);
    outbox.add(b, mine);
    outbox.flush();
    expect(frames.map((f) => [f.messages, f.own])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('splits a long tick into frames of at most maxPerFrame, in order, each with its own frameId', () => {
    const frames: BatchFrame[] = [];
    const outbox = new ImBatchOutbox(2, (_c, f) => frames.push(f));
    const a = conn(1);
    for (let i = 1; i <= 5; i++) outbox.add(a, outbox.message(`${i}`));
    outbox.flush();
    expect(frames.map((f) => JSON.parse(f.frame.toString()).body.msgs)).toEqual([[1, 2], [3, 4], [5]]);
    expect(new Set(frames.map((f) => f.frameId)).size).toBe(3);
    outbox.flush(); // nothing left
    expect(frames).toHaveLength(3);
  });
});
