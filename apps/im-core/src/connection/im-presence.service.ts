import { formatImNodeEntry, ImLogin, ImNodeInfo, ImTokenReader } from '@live/contracts';
import { ImRedisKeys, InjectRedis, RedisClient, settleAll } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import { ImCoreEnv } from '../config/im-core.env';
import { WS_PATH } from '../ws/im-close';

/**
 * This node's presence in Redis, read by im-router and api-gateway:
 * - `userNode(userId)`: sorted set of node ids holding the user's sockets, score = expiry (epoch ms);
 * - `roomNodes(roomId)`: sorted set of node ids with members of the room, score = expiry;
 * - `nodeRegistry()`: hash node id -> ImNodeInfo JSON.
 * Scores are expiries so a node that dies without cleaning up simply ages out; a node only ever adds
 * or removes ITS OWN member, so one node's close can never wipe another node's (newer) binding. The sorted
 * sets themselves expire with their newest member (every write sets the key's TTL to the binding's): the
 * key of a user or room a dead node held, that nobody holds again, goes too instead of staying forever.
 */
@Injectable()
export class ImPresenceService {
  private readonly logger = new Logger(ImPresenceService.name);
  readonly bindingTtlMs: number;

  constructor(
    @InjectRedis() private readonly redis: RedisClient,
    private readonly keys: ImRedisKeys,
    private readonly imTokens: ImTokenReader,
    private readonly env: ImCoreEnv,
  ) {
    this.bindingTtlMs = 2 * env.IM_HEARTBEAT_TIMEOUT_MS;
  }

  get nodeId(): string {
    return this.env.IM_CORE_NODE_ID;
  }

  /** This node's entry in the registry: where clients and im-router reach it. */
  nodeInfo(): ImNodeInfo {
    const e = this.env;
    return {
      nodeId: e.IM_CORE_NODE_ID,
      wsUrl: `ws://${e.IM_CORE_ADVERTISED_HOST}:${e.IM_CORE_WS_PORT}${WS_PATH}`,
      rpcHost: e.IM_CORE_ADVERTISED_HOST,
      rpcPort: e.IM_CORE_RPC_PORT,
      heartbeatAt: Date.now(),
    };
  }

  /**
   * The user behind an IM token (issued by api-gateway, short-lived) and its login session, or null (also when
   * that session has logged out). The token is single-use: read and deleted in one command (GETDEL), so of two
   * logins racing with one token exactly one wins.
   */
  consumeToken(token: string): Promise<ImLogin | null> {
    return this.imTokens.consume(token);
  }

  async bindUser(userId: number): Promise<void> {
    await this.bind(this.keys.userNode(userId));
  }

  async unbindUser(userId: number): Promise<void> {
    await this.redis.zrem(this.keys.userNode(userId), this.nodeId);
  }

  async joinRoom(roomId: number): Promise<void> {
    await this.bind(this.keys.roomNodes(roomId));
  }

  /** This node's member, and the key's life, both the binding TTL from now (two commands, one round trip). */
  private async bind(key: string): Promise<void> {
    await settleAll([
      this.redis.zadd(key, Date.now() + this.bindingTtlMs, this.nodeId),
      this.redis.pexpire(key, this.bindingTtlMs),
    ]);
  }

  async leaveRoom(roomId: number): Promise<void> {
    await this.redis.zrem(this.keys.roomNodes(roomId), this.nodeId);
  }

  /**
   * Re-asserts every binding this node holds and drops expired members on the way: one command per key,
   * all at once (auto-pipelining writes them in one pipeline per Redis node; the keys of many users and
   * rooms sit on every node of a Cluster). The first failure throws, after every command has answered.
   */
  async refresh(userIds: Iterable<number>, roomIds: Iterable<number>, info: ImNodeInfo): Promise<void> {
    const now = Date.now();
    const expiry = now + this.bindingTtlMs;
    const keys = [
      ...[...userIds].map((u) => this.keys.userNode(u)),
      ...[...roomIds].map((r) => this.keys.roomNodes(r)),
    ];
    await settleAll([
      ...keys.flatMap((key) => [
        this.redis.zadd(key, expiry, this.nodeId),
        this.redis.zremrangebyscore(key, '-inf', now),
        this.redis.pexpire(key, this.bindingTtlMs),
      ]),
      this.redis.hset(this.keys.nodeRegistry(), this.nodeId, formatImNodeEntry(info, now)),
    ]);
  }

  /** On shutdown: this node's entries go at once instead of ageing out (one command per key, all at once). */
  async withdraw(userIds: Iterable<number>, roomIds: Iterable<number>): Promise<void> {
    const keys = [
      ...[...userIds].map((u) => this.keys.userNode(u)),
      ...[...roomIds].map((r) => this.keys.roomNodes(r)),
    ];
    await settleAll([
      ...keys.map((key) => this.redis.zrem(key, this.nodeId)),
      this.redis.hdel(this.keys.nodeRegistry(), this.nodeId),
    ]).catch((err: unknown) => this.logger.warn(`withdrawing node ${this.nodeId} from Redis failed: ${String(err)}`));
  }
}
