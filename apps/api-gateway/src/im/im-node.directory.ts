import { ImRedisKeys, InjectRedis } from '@live/redis';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GatewayEnv } from '../config/api-gateway.env';

/** How an im-core node describes itself in the registry hash (field = node id). */
interface RegisteredNode {
  wsUrl?: unknown;
  /** Epoch ms of the node's last registry refresh. */
  heartbeatAt?: unknown;
}

/** A node that has not refreshed its entry for this long is not handed out. */
export const NODE_STALE_MS = 30_000;

/**
 * Where a client should open its WebSocket: one of the live im-core nodes registered in Redis (the
 * same user always lands on the same node while the set of nodes is unchanged), else the configured
 * GATEWAY_IM_WS_URL.
 */
@Injectable()
export class ImNodeDirectory {
  private readonly logger = new Logger(ImNodeDirectory.name);

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: ImRedisKeys,
    private readonly env: GatewayEnv,
  ) {}

  async wsAddressFor(userId: number): Promise<string> {
    const live = await this.liveNodes().catch((err: unknown) => {
      this.logger.warn(`im node registry unreadable, using GATEWAY_IM_WS_URL: ${String(err)}`);
      return [];
    });
    if (live.length === 0) return this.env.GATEWAY_IM_WS_URL;
    return live[userId % live.length];
  }

  private async liveNodes(): Promise<string[]> {
    const entries = await this.redis.hgetall(this.keys.nodeRegistry());
    const now = Date.now();
    return Object.keys(entries)
      .sort()
      .flatMap((nodeId) => {
        let node: RegisteredNode;
        try {
          node = JSON.parse(entries[nodeId]) as RegisteredNode;
        } catch {
          return [];
        }
        const fresh = typeof node.heartbeatAt === 'number' && now - node.heartbeatAt < NODE_STALE_MS;
        return fresh && typeof node.wsUrl === 'string' ? [node.wsUrl] : [];
      });
  }
}
