import { ImNodeRegistryReader } from '@live/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { GatewayEnv } from '../config/api-gateway.env';
import { webSocketOrigins } from '../web-headers';

/**
 * Where a client should open its WebSocket: one of the live im-core nodes registered in Redis (the
 * same user always lands on the same node while the set of nodes is unchanged), else the configured
 * GATEWAY_IM_WS_URL.
 */
@Injectable()
export class ImNodeDirectory {
  private readonly logger = new Logger(ImNodeDirectory.name);
  /** The web page's CSP connect-src WebSocket origins, and the node addresses already checked against them. */
  private readonly pageOrigins: Set<string>;
  private readonly checked = new Set<string>();

  constructor(
    private readonly registry: ImNodeRegistryReader,
    private readonly env: GatewayEnv,
  ) {
    this.pageOrigins = new Set(webSocketOrigins(env));
  }

  async wsAddressFor(userId: number): Promise<string> {
    const live = await this.liveNodes().catch((err: unknown) => {
      this.logger.warn(`im node registry unreadable, using GATEWAY_IM_WS_URL: ${String(err)}`);
      return [];
    });
    if (live.length === 0) return this.env.GATEWAY_IM_WS_URL;
    return live[userId % live.length];
  }

  private async liveNodes(): Promise<string[]> {
    return [...(await this.registry.freshEntries()).values()].flatMap((node) => {
      if (typeof node.wsUrl !== 'string') return [];
      this.checkPageMayOpen(node.wsUrl);
      return [node.wsUrl];
    });
  }

  /** Once per node address: a warning when the web page's CSP would refuse it (GATEWAY_WEB_WS_ORIGINS). */
  private checkPageMayOpen(wsUrl: string): void {
    if (this.checked.has(wsUrl) || this.checked.size >= 1_000) return;
    this.checked.add(wsUrl);
    let origin = '';
    try {
      origin = new URL(wsUrl).origin;
    } catch {
      // not a URL: no browser opens it either
    }
    if (!this.pageOrigins.has(origin))
      this.logger.warn(
        `im-core node ${wsUrl} is not among the web client's WebSocket origins (GATEWAY_WEB_WS_ORIGINS): ` +
          'the page cannot open it',
      );
  }
}
