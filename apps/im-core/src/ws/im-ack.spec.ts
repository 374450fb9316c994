import { IM_MAGIC, ImBizCode, ImFrameCode } from '@live/contracts';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImPushService } from '../push/im-push.service';
import { CLOSE_BAD_FRAMES } from './im-close';
import { presenceStub, startImTestServer } from './im-test-server.spec-data';

const USER = 42;
const TOKENS = new Set(['a'.repeat(24), 'b'.repeat(24)]);

/** Tokens are known up front (single-use as in Redis). */
const presence = presenceStub((token) => (TOKENS.delete(token) ? USER : null));

interface Frame {
  code: number;
  body?: { error?: string; msgId?: string };
}

/** A plain ws client that records every frame. */
async function open(url: string): Promise<{
  ws: WebSocket;
  frames: Frame[];
  send(code: number, body?: object): void;
  next(code: number): Promise<Frame>;
}> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters: { code: number; resolve: (f: Frame) => void }[] = [];
  ws.on('message', (raw: Buffer) => {
    const f = JSON.parse(raw.toString()) as Frame;
    frames.push(f);
    const i = waiters.findIndex((w) => w.code === f.code);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(f);
  });
  const next = (code: number) => new Promise<Frame>((resolve) => waiters.push({ code, resolve }));
  const send = (code: number, body?: object) =>
    ws.send(JSON.stringify({ magic: IM_MAGIC, code, len: body ? JSON.stringify(body).length : 0, body }));
  const login = next(ImFrameCode.LOGIN);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  await login;
  return { ws, frames, send, next };
}

describe('acks (1005) on a real WebSocket server: the ImMsgBody of the original clients', () => {
  let registry: ConnectionRegistry;
  let push: ImPushService;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ url, registry, push, close } = await startImTestServer(presence));
  });

  afterAll(() => close());

  const pendingOf = () => [...registry.ofUser(USER)].flatMap((c) => [...c.pending.keys()]);
  const full = (msgId: string, userId: number) => ({
    msgId,
    appId: 10001,
    userId,
    bizCode: ImBizCode.GIFT_FAIL,
    data: { requestId: msgId, msg: 'x' },
  });

  it('a wrong userId gets one error frame per ack and acks nothing; unknown msgIds are ignored quietly; none count as bad frames', async () => {
    const client = await open(`${url}?token=${'a'.repeat(24)}`);
    push.pushToUsers('m-1', [USER], ImBizCode.GIFT_FAIL, { requestId: 'm-1', msg: 'x' });
    expect(pendingOf()).toEqual(['m-1']);

    client.send(ImFrameCode.ACK, full('m-1', USER + 1));
    const error = await client.next(0);
    expect(error.body?.error).toMatch(/ack of m-1 ignored: its userId is not this connection's user/);
    expect(pendingOf()).toEqual(['m-1']);

    // Past the bad-frame limit (20) twice over: wrong users, unknown and already-acked ids.
    for (let i = 0; i < 25; i++) client.send(ImFrameCode.ACK, full('m-1', 7));
    for (let i = 0; i < 25; i++) client.send(ImFrameCode.ACK, full(`never-sent-${i}`, USER));
    client.send(ImFrameCode.ACK, full('m-1', USER));
    client.send(ImFrameCode.ACK, full('m-1', USER));
    client.send(ImFrameCode.HEARTBEAT);
    await client.next(ImFrameCode.HEARTBEAT);

    expect(client.ws.readyState).toBe(WebSocket.OPEN);
    const errors = client.frames.filter((f) => f.code === 0);
    expect(errors).toHaveLength(26);
    expect(errors.every((f) => /userId is not this connection's user/.test(f.body?.error ?? ''))).toBe(true);
    expect(pendingOf()).toEqual([]);
    client.ws.close();
  });

  it("accepts the room broadcast's userId 0 and a bare { msgId }; 20 unparseable frames still close the socket (4400)", async () => {
    const client = await open(`${url}?token=${'b'.repeat(24)}`);
    push.pushToUsers('m-2', [USER], ImBizCode.GIFT_FAIL, { requestId: 'm-2', msg: 'x' });
    push.pushToUsers('m-3', [USER], ImBizCode.GIFT_FAIL, { requestId: 'm-3', msg: 'x' });
    client.send(ImFrameCode.ACK, full('m-2', 0));
    client.send(ImFrameCode.ACK, { msgId: 'm-3' });
    client.send(ImFrameCode.HEARTBEAT);
    await client.next(ImFrameCode.HEARTBEAT);
    expect(pendingOf()).toEqual([]);
    expect(client.frames.filter((f) => f.code === 0)).toEqual([]);

    const closed = new Promise<number>((resolve) => client.ws.once('close', resolve));
    for (let i = 0; i < 20; i++) client.ws.send('not json');
    expect(await closed).toBe(CLOSE_BAD_FRAMES);
  });
});
