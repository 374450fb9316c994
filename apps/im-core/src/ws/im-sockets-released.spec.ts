import { ImBizCode, ImFrameCode } from '@live/contracts';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../connection/connection-registry';
import { ImPushService } from '../push/im-push.service';
import { ImWebSocketServer } from './im-websocket.server';
import { presenceStub, startImTestServer } from './im-test-server.spec-data';

const SOCKETS = 300;
const USERS = 100;
const ROOMS = 10;

/** Redis stands aside: token `t<user>-<n>` logs user <user> in once; bindings go nowhere. */
const used = new Set<string>();
const presence = presenceStub((token) => {
  const m = /^t(\d+)-\d+$/.exec(token);
  if (!m || used.has(token)) return null;
  used.add(token);
  return Number(m[1]);
});

/** A socket logged in (URL token and room); resolves once the 1001 answer came. */
async function login(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  const answered = new Promise<void>((resolve) =>
    ws.on('message', (raw: Buffer) => {
      if ((JSON.parse(raw.toString()) as { code: number }).code === ImFrameCode.LOGIN) resolve();
    }),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  await answered;
  return ws;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('im-core: what a socket holds is released when it closes (issue 23: memory flat however many sockets come and go)', () => {
  let server: ImWebSocketServer;
  let push: ImPushService;
  let registry: ConnectionRegistry;
  let url: string;
  let close: () => Promise<void>;
  /** Every per-socket structure of the node, counted. */
  const stats = () => ({ sockets: server.openSockets(), ...registry.stats(), dedupScopes: push.dedupScopes });

  beforeAll(async () => {
    ({ url, registry, push, server, close } = await startImTestServer(presence, {
      IM_CONNECT_BURST_PER_ADDRESS: 10 * SOCKETS,
      IM_CONNECT_RATE_PER_ADDRESS: 10 * SOCKETS,
    }));
  });

  afterAll(() => close());

  it('opens 300 sockets in rounds, pushes unacked messages to them, closes them: every per-socket count returns to 0', async () => {
    /** Every count of stats() at 0 (a count added later is included). */
    const empty = () => Object.fromEntries(Object.keys(stats()).map((k) => [k, 0]));
    for (let round = 0; round < 3; round++) {
      const sockets = await Promise.all(
        Array.from({ length: SOCKETS }, (_, i) =>
          login(`${url}?token=t${1 + (i % USERS)}-${round * SOCKETS + i}&roomId=${1 + (i % ROOMS)}&batch=${i % 2}`),
        ),
      );
      // Never acked: each socket keeps them for resending (bounded by IM_MAX_PENDING_PER_SOCKET).
      for (let m = 0; m < 20; m++) {
        for (let r = 1; r <= ROOMS; r++)
          push.pushToRoom(`r${round}-${m}-${r}`, r, ImBizCode.GIFT_FAIL, { requestId: 'x', msg: 'x' });
        push.pushToUsers(`u${round}-${m}`, [1, 2, 3], ImBizCode.GIFT_FAIL, { requestId: 'x', msg: 'x' });
      }
      await new Promise((r) => setImmediate(r)); // the batching sockets' frames leave on the next tick
      const open = stats();
      expect(open).toMatchObject({ sockets: SOCKETS, connections: SOCKETS, users: USERS, rooms: ROOMS });
      expect(open.pendingMessages).toBeGreaterThanOrEqual(SOCKETS * 20);
      expect(open.dedupScopes).toBe(ROOMS + 3);

      for (const ws of sockets) ws.close();
      await until(() => stats().sockets === 0);
      push.sweepDedup();
      expect(stats()).toEqual(empty());
    }
  });

  it("a socket that never acks keeps at most IM_MAX_PENDING_BYTES_PER_SOCKET of its own frames for resending, however many private messages it gets; a room's shared frames are not counted", async () => {
    // A reviewer's finding (2026-12-01): a socket's own frames (history replays on each room switch, private
    // messages) are not shared with other sockets, and the message bound alone let one keep ~1 MB.
    const bound = 8_192;
    const small = await startImTestServer(presence, { IM_MAX_PENDING_BYTES_PER_SOCKET: bound });
    try {
      const ws = await login(`${small.url}?token=t7-900000&roomId=1`);
      const text = 'x'.repeat(1_000);
      for (let m = 0; m < 100; m++)
        small.push.pushToUsers(`big-${m}`, [7], ImBizCode.GIFT_FAIL, { requestId: 'x', msg: text });
      const held = small.registry.stats();
      expect(held.pendingBytes).toBeGreaterThan(bound - 1_200);
      expect(held.pendingBytes).toBeLessThanOrEqual(bound);
      expect(held.pendingMessages).toBeLessThan(10);
      // A room's broadcast frames are shared by its sockets: kept (within IM_MAX_PENDING_PER_SOCKET), not counted.
      for (let m = 0; m < 100; m++)
        small.push.pushToRoom(`room-${m}`, 1, ImBizCode.GIFT_FAIL, { requestId: 'x', msg: text });
      expect(small.registry.stats()).toEqual(
        expect.objectContaining({ pendingMessages: held.pendingMessages + 100, pendingBytes: held.pendingBytes }),
      );
      expect(ws.readyState).toBe(WebSocket.OPEN);
      ws.close();
      await until(() => small.server.openSockets() === 0);
      expect(small.registry.stats()).toMatchObject({ pendingMessages: 0, pendingBytes: 0 });
    } finally {
      await small.close();
    }
  });
});
