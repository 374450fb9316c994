import { createRpcClient, ImCoreClient, RpcAuth } from '@live/common';
import { ImNodeRegistryReader } from '@live/contracts';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ImRouterEnv } from '../config/im-router.env';

interface NodeAddress {
  rpcHost: string;
  rpcPort: number;
}

/** How long the node registry is trusted before it is read again. */
const REGISTRY_CACHE_MS = 2_000;

/**
 * One ImCoreClient per im-core node (timeout IM_ROUTER_NODE_TIMEOUT_MS), found by node id in the
 * registry hash the nodes keep in Redis.
 * A client whose call failed is dropped (the next call connects afresh: a restarted node may be back).
 */
@Injectable()
export class ImNodeClients implements OnApplicationShutdown {
  private readonly logger = new Logger(ImNodeClients.name);
  private readonly clients = new Map<string, { address: string; client: ImCoreClient }>();
  private registry = new Map<string, NodeAddress>();
  private registryReadAt = 0;
  /** Signs the calls to the nodes (RPC_AUTH_SECRET; the app refuses to start without it). */
  private readonly auth = RpcAuth.fromEnv('im-router');

  constructor(
    private readonly registryReader: ImNodeRegistryReader,
    private readonly env: ImRouterEnv,
  ) {}

  /** The client of a node, or null when the node is not registered (gone). */
  async client(nodeId: string): Promise<ImCoreClient | null> {
    let address = await this.address(nodeId, false);
    if (!address) address = await this.address(nodeId, true);
    if (!address) return null;
    const key = `${address.rpcHost}:${address.rpcPort}`;
    const known = this.clients.get(nodeId);
    if (known && known.address === key) return known.client;
    void known?.client.close();
    const transport = createRpcClient(this.auth.name, { host: address.rpcHost, port: address.rpcPort }, this.auth);
    const client = new ImCoreClient(transport, this.env.IM_ROUTER_NODE_TIMEOUT_MS);
    this.clients.set(nodeId, { address: key, client });
    return client;
  }

  /** After a failed call: forget the client (and the registry snapshot). */
  drop(nodeId: string): void {
    void this.clients.get(nodeId)?.client.close();
    this.clients.delete(nodeId);
    this.registryReadAt = 0;
  }

  onApplicationShutdown(): void {
    for (const { client } of this.clients.values()) void client.close();
    this.clients.clear();
  }

  private async address(nodeId: string, fresh: boolean): Promise<NodeAddress | undefined> {
    if (fresh || Date.now() - this.registryReadAt > REGISTRY_CACHE_MS) {
      const entries = await this.registryReader.entries((id) =>
        this.logger.warn(`node registry entry ${id} is not JSON: ignored`),
      );
      const next = new Map<string, NodeAddress>();
      for (const [id, info] of entries) {
        if (typeof info.rpcHost === 'string' && typeof info.rpcPort === 'number')
          next.set(id, { rpcHost: info.rpcHost, rpcPort: info.rpcPort });
      }
      this.registry = next;
      this.registryReadAt = Date.now();
    }
    return this.registry.get(nodeId);
  }
}
