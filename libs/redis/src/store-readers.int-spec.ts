import {
  BalanceCacheReader,
  ChatMuteReader,
  formatImNodeEntry,
  IM_NODE_STALE_MS,
  ImNodeRegistryReader,
  ImPresenceReader,
  ImTokenReader,
  tokenDigest,
  UserNickReader,
} from '@live/contracts';
import { createTestRedis } from '@live/testing';
import { BankRedisKeys, GatewayRedisKeys, ImRedisKeys } from './redis-keys';

/**
 * What an owner writes with its key builder, another app reads through the reader the owner publishes
 * in @live/contracts: the same key, the same value format, on the real Redis.
 */
describe('store readers read what the owners write', () => {
  let helper: Awaited<ReturnType<typeof createTestRedis>>;

  beforeAll(async () => {
    helper = await createTestRedis();
  });

  afterAll(async () => {
    await helper?.cleanup();
  });

  it('BalanceCacheReader: the balance of bank-service\'s "version:balance" entry; nothing for a missing or unreadable one', async () => {
    const keys = new BankRedisKeys(helper.prefix);
    const reader = new BalanceCacheReader(helper.redis, helper.prefix);
    await helper.redis.set(keys.balance(11), '3:70');
    await helper.redis.set(keys.balance(12), '3:not-a-number');
    expect([await reader.balanceOf(11), await reader.balanceOf(12), await reader.balanceOf(13)]).toEqual([
      70,
      undefined,
      undefined,
    ]);
  });

  it('ImTokenReader: a token the gateway issued logs in once; a malformed one is refused and the stored ones stay', async () => {
    const keys = new GatewayRedisKeys(helper.prefix);
    const reader = new ImTokenReader(helper.redis, helper.prefix);
    const token = 'tok_0123456789abcdef';
    await helper.redis.set(keys.imToken(token), '42', 'EX', 60);
    expect(await reader.consume('short')).toBeNull();
    expect(await reader.consume(token)).toEqual({ userId: 42, sessionId: null });
    expect(await reader.consume(token)).toBeNull();
    await helper.redis.set(keys.imToken('tok_badvalue_000000'), 'abc', 'EX', 60);
    expect(await reader.consume('tok_badvalue_000000')).toBeNull();
    // Bound to a login session (the gateway's session key, by its id): logs in while the session lives.
    const sessionId = tokenDigest('a-login-token-of-32-characters00');
    await helper.redis.set(keys.userSession(sessionId), '42:0', 'EX', 60);
    await helper.redis.set(keys.imToken('tok_session_live_00'), `42:${sessionId}`, 'EX', 60);
    expect(await reader.consume('tok_session_live_00')).toEqual({ userId: 42, sessionId });
    await helper.redis.del(keys.userSession(sessionId)); // logged out
    await helper.redis.set(keys.imToken('tok_session_gone_00'), `42:${sessionId}`, 'EX', 60);
    expect(await reader.consume('tok_session_gone_00')).toBeNull();
    await helper.redis.set(keys.imToken('tok_session_bad_000'), '42:not-a-session-id', 'EX', 60);
    expect(await reader.consume('tok_session_bad_000')).toBeNull();
  });

  it("UserNickReader and ChatMuteReader: the gateway's nickname and mute entries, nothing when missing", async () => {
    const keys = new GatewayRedisKeys(helper.prefix);
    const nicks = new UserNickReader(helper.redis, helper.prefix);
    const mutes = new ChatMuteReader(helper.redis, helper.prefix);
    await helper.redis.set(keys.userNick(7), 'Lucky Star', 'EX', 60);
    await helper.redis.set(keys.chatMute(42, 7), '1764464400000', 'PX', 60_000);
    await helper.redis.set(keys.chatMute(42, 8), 'garbage', 'PX', 60_000);
    expect([await nicks.get(7), await nicks.get(8)]).toEqual(['Lucky Star', null]);
    expect([await mutes.mutedUntil(42, 7), await mutes.mutedUntil(42, 8), await mutes.mutedUntil(43, 7)]).toEqual([
      1764464400000,
      0,
      null,
    ]);
  });

  it('ImNodeRegistryReader: every node im-core registered, by id in order; an entry that is not JSON is reported and left out', async () => {
    const keys = new ImRedisKeys(helper.prefix);
    const info = { nodeId: 'n2', wsUrl: 'ws://b/ws', rpcHost: '10.0.0.2', rpcPort: 7002, heartbeatAt: 0 };
    await helper.redis.hset(
      keys.nodeRegistry(),
      'n2',
      formatImNodeEntry(info, 1234),
      'n1',
      '{broken',
      'n0',
      formatImNodeEntry({ ...info, nodeId: 'n0' }, 99),
    );
    const bad: string[] = [];
    const entries = await new ImNodeRegistryReader(helper.redis, helper.prefix).entries((id) => bad.push(id));
    expect([...entries.keys()]).toEqual(['n0', 'n2']);
    expect(entries.get('n2')).toEqual({ ...info, heartbeatAt: 1234 });
    expect(bad).toEqual(['n1']);
    // Fresh: refreshed within IM_NODE_STALE_MS of the time asked (a dead node's entry stays until it is cleaned).
    const reader = new ImNodeRegistryReader(helper.redis, helper.prefix);
    expect([...(await reader.freshNodeIds(1234 + IM_NODE_STALE_MS - 1))]).toEqual(['n2']);
    expect([...(await reader.freshNodeIds(1234 + IM_NODE_STALE_MS))]).toEqual([]);
  });

  it('ImPresenceReader: the nodes whose binding has not expired, per user and per room, in the order asked', async () => {
    const keys = new ImRedisKeys(helper.prefix);
    const later = Date.now() + 60_000;
    await helper.redis.zadd(keys.userNode(5), later, 'n1', Date.now() - 1_000, 'gone');
    await helper.redis.zadd(keys.roomNodes(9), later, 'n2', later, 'n3');
    const reader = new ImPresenceReader(helper.redis, helper.prefix);
    expect(await reader.nodesOfUsers([5, 6])).toEqual([['n1'], []]);
    expect(await reader.nodesOfRooms([9])).toEqual([['n2', 'n3']]);
  });
});
