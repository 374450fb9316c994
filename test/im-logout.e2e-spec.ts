import { IM_MAGIC, ImFrameCode, tokenDigest } from '@live/contracts';
import { GatewayRedisKeys } from '@live/redis';
import WebSocket from 'ws';
import { ConnectionRegistry } from '../apps/im-core/src/connection/connection-registry';
import { TokenCache } from '../apps/api-gateway/src/auth/token-cache';
import { SessionSockets } from '../apps/im-core/src/ws/session-sockets';
import { HttpClient } from './support/http-client';
import { startTestStack, TestStack } from './support/test-stack';
import { loginNewUser, waitForImNode } from './support/test-users';
import { waitFor } from './support/wait-for';

interface Frame {
  code: number;
  body?: Record<string, unknown>;
}

/**
 * A logout ends the IM access its session gave (an attacker pass, 2026-12-01: after `/userLogin/logout` the open
 * socket chatted on, switched rooms, and an IM token fetched before the logout still logged in). Driven as a
 * client does: `fetch` of API.md for the login, the IM tokens and the logout; `ws` for the sockets.
 */
describe('a logout ends the IM access of its session (fetch + ws, real stack)', () => {
  let stack: TestStack;
  let http: HttpClient;

  beforeAll(async () => {
    stack = await startTestStack({ realIm: true });
    http = new HttpClient(stack.baseUrl);
    await waitForImNode(http, stack.wsUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A socket logged in with `token`: its frames, and its close code once closed. */
  function open(token: string) {
    const ws = new WebSocket(`${stack.wsUrl}?token=${token}`);
    const frames: Frame[] = [];
    let closed: number | null = null;
    ws.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
    ws.on('close', (code) => (closed = code));
    ws.on('error', () => undefined);
    return { ws, frames, closed: () => closed };
  }

  const imToken = async (client: HttpClient): Promise<string> => (await client.post('/im/getImConfig')).body.data.token;

  it('closes the open sockets of the session (4401) and refuses its unused IM tokens; another session keeps its socket', async () => {
    const first = await loginNewUser(http);
    const second = await loginNewUser(http);
    const live = open(await imToken(first.client));
    const other = open(await imToken(second.client));
    const spare = await imToken(first.client); // fetched before the logout, not used yet
    for (const s of [live, other])
      await waitFor(
        'the login answer',
        () => s.frames.some((f) => f.code === ImFrameCode.LOGIN && !f.body?.error),
        10_000,
      );
    // The IM token's key says which session it belongs to (the session id: the digest, never the login token).
    const registry = stack.imCore!.get(ConnectionRegistry);
    expect(registry.ofUser(first.userId).size).toBe(1);

    expect((await first.client.post('/userLogin/logout')).body.code).toBe(200);
    await waitFor('the session socket closed', () => live.closed() !== null, 5_000);
    expect(live.closed()).toBe(4401);
    await waitFor('the socket gone from the node', () => registry.ofUser(first.userId).size === 0, 5_000);
    expect(stack.imCore!.get(SessionSockets).size).toBe(1); // the other session's socket only: the closed one released
    // The other session's socket still answers.
    other.ws.send(JSON.stringify({ magic: IM_MAGIC, code: ImFrameCode.HEARTBEAT, len: 0 }));
    await waitFor('its heartbeat answered', () => other.frames.some((f) => f.code === ImFrameCode.HEARTBEAT), 5_000);
    expect(other.closed()).toBeNull();
    // The unused token of the logged-out session logs nobody in.
    const late = open(spare);
    await waitFor('the late login refused', () => late.closed() !== null, 5_000);
    expect(late.closed()).toBe(4401);
    expect(late.frames.some((f) => f.code === ImFrameCode.LOGIN && !f.body?.error)).toBe(false);
    // A token of the live session still logs in.
    const again = open(await imToken(second.client));
    await waitFor(
      'the login answer',
      () => again.frames.some((f) => f.code === ImFrameCode.LOGIN && !f.body?.error),
      10_000,
    );
    for (const s of [other, again]) s.ws.close();
  });

  it('a logout missed while the logout channel was down is caught when the subscription is back', async () => {
    const { client } = await loginNewUser(http);
    const token = client.token!;
    const s = open(await imToken(client));
    await waitFor(
      'the login answer',
      () => s.frames.some((f) => f.code === ImFrameCode.LOGIN && !f.body?.error),
      10_000,
    );
    // The session's key gone with no message heard (as a logout published while the subscription was down).
    await stack.redis.redis.del(new GatewayRedisKeys(stack.redis.prefix).userToken(token));
    await new Promise((r) => setTimeout(r, 300));
    expect(s.closed()).toBeNull();
    const subscriber = (
      stack.imCore!.get(SessionSockets) as unknown as { subscriber: { disconnect(r: boolean): void } }
    ).subscriber;
    subscriber.disconnect(true); // dropped and connected again
    await waitFor('the socket closed once the subscription is back', () => s.closed() !== null, 10_000);
    expect(s.closed()).toBe(4401);
  });

  it('no IM token for a session gone since the request was let in (the token cache still held it)', async () => {
    await waitFor('the token cache in use', () => stack.gateway.get(TokenCache).active, 10_000);
    const { client, userId } = await loginNewUser(http);
    expect((await client.post('/im/getImConfig')).body.code).toBe(200);
    expect(stack.gateway.get(TokenCache).get(tokenDigest(client.token!))).toEqual({ userId, role: 0 }); // held
    // Logged out elsewhere, the message not heard here yet: the key is gone.
    await stack.redis.redis.del(new GatewayRedisKeys(stack.redis.prefix).userToken(client.token!));
    const answer = await client.post('/im/getImConfig');
    expect([answer.status, answer.body.code, answer.body.data]).toEqual([401, 100002, null]);
  });

  it('an IM token written before session binding (the user id alone) still logs in', async () => {
    const { userId } = await loginNewUser(http);
    const token = 'legacy-im-token-0123456789abcdef';
    await stack.redis.redis.set(new GatewayRedisKeys(stack.redis.prefix).imToken(token), String(userId), 'EX', 60);
    const s = open(token);
    await waitFor('the login answer', () => s.frames.some((f) => f.code === ImFrameCode.LOGIN), 10_000);
    expect(s.frames.find((f) => f.code === ImFrameCode.LOGIN)?.body).toMatchObject({ userId });
    s.ws.close();
  });
});
