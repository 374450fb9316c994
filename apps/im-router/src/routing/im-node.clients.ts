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
/** When a lookup finds nobody, the registry is read again at most this often (see vanished()). */
const VANISHED_CHECK_MS = 250;
/** A node missing from the registry is still tried this long after it was last seen there (2 × the nodes' refresh). */
const VANISHED_KEEP_MS = 60_000;

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
  /** Every node seen in the registry lately, with where it was and when: bounded by VANISHED_KEEP_MS. */
  private readonly lastSeen = new Map<string, { address: NodeAddress; at: number }>();
  /** Signs the calls to the nodes (RPC_AUTH_SECRET; the app refuses to start without it). */
  private readonly auth = RpcAuth.fromEnv('im-router');

  constructor(
    private readonly registryReader: ImNodeRegistryReader,
    private readonly env: ImRouterEnv,
  ) {}

  /**
   * The client of a node, or null when the node is not registered (gone). `vanished`: also a node missing
   * from the registry now but seen there within VANISHED_KEEP_MS (see vanished()).
   */
  async client(nodeId: string, vanished = false): Promise<ImCoreClient | null> {
    let address = await this.address(nodeId, false);
    // A vanished node was looked for in a registry read just now (vanished()): no second read per message.
    const fresh = Date.now() - this.registryReadAt <= VANISHED_CHECK_MS;
    if (!address && !(vanished && fresh && this.lastSeen.has(nodeId))) address = await this.address(nodeId, true);
    if (!address && vanished) address = this.lastSeen.get(nodeId)?.address;
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

  /**
   * Nodes seen in the registry within VANISHED_KEEP_MS that are missing from it now (registry read again,
   * at most every VANISHED_CHECK_MS). A node leaves the registry when it shuts down; but Redis can also
   * lose the entries of live nodes (data lost in a restart, writes lost in a failover): until each
   * node's next refresh (up to 10 s) nothing says where its users and rooms are. A message nobody seems
   * to hold is offered to these nodes: a live one delivers to its own members, a dead one refuses the
   * connection and is forgotten (forget()).
   */
  async vanished(): Promise<string[]> {
    if (Date.now() - this.registryReadAt > VANISHED_CHECK_MS) await this.address('', true);
    return [...this.lastSeen.keys()].filter((nodeId) => !this.registry.has(nodeId));
  }

  /** In the registry as last read. */
  registered(nodeId: string): boolean {
    return this.registry.has(nodeId);
  }

  /** A vanished node that refused the connection or failed: not offered messages any more. */
  forget(nodeId: string): void {
    if (!this.registry.has(nodeId)) this.lastSeen.delete(nodeId);
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
      for (const [id, address] of next) this.lastSeen.set(id, { address, at: this.registryReadAt });
      for (const [id, seen] of this.lastSeen)
        if (this.registryReadAt - seen.at > VANISHED_KEEP_MS) this.lastSeen.delete(id);
    }
    return this.registry.get(nodeId);
  }
}
