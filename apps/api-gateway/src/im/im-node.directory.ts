import { ImNodeRegistryReader } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';

/** A node that has not refreshed its entry for this long is not handed out. */
const NODE_STALE_MS = 30_000;

/**
 * Where a client should open its WebSocket: one of the live im-core nodes registered in Redis (the
 * same user always lands on the same node while the set of nodes is unchanged), else the configured
 * GATEWAY_IM_WS_URL.
 */
@Injectable()
export class ImNodeDirectory {
  private readonly logger = new Logger(ImNodeDirectory.name);

  constructor(
    private readonly registry: ImNodeRegistryReader,
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
    const entries = await this.registry.entries();
    const now = Date.now();
    return [...entries.values()].flatMap((node) => {
      const fresh = typeof node.heartbeatAt === 'number' && now - node.heartbeatAt < NODE_STALE_MS;
      return fresh && typeof node.wsUrl === 'string' ? [node.wsUrl] : [];
    });
  }
}
