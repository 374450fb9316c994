import { keyPart, RedisReadable } from './store-key';

/**
 * im-core's presence, owned and written by im-core nodes (each node adds and removes only its own id):
 * - the node registry, a hash at `${prefix}:im:{nodes}:registry`: field = node id, value = ImNodeInfo
 *   as JSON, refreshed with every heartbeat. api-gateway (where a client opens its WebSocket) and
 *   im-router (where to call a node) read it through ImNodeRegistryReader;
 * - where users and rooms are connected, sorted sets of node ids scored by expiry (epoch ms):
 *   `${prefix}:im:{user:<id>}:node` and `${prefix}:im:{room:<id>}:nodes`. im-router reads them through
 *   ImPresenceReader, and so does gift-service (a PK session end: is the user still connected anywhere?).
 */
export interface ImNodeInfo {
  nodeId: string;
  wsUrl: string;
  rpcHost: string;
  rpcPort: number;
  /** Epoch ms of the last refresh: readers ignore nodes silent for long. */
  heartbeatAt: number;
}

export function imNodeRegistryKey(prefix: string): string {
  return `${keyPart(prefix, 'prefix')}:im:{nodes}:registry`;
}

export function imUserNodesKey(prefix: string, userId: number): string {
  return `${keyPart(prefix, 'prefix')}:im:{user:${keyPart(userId, 'userId')}}:node`;
}

export function imRoomNodesKey(prefix: string, roomId: number): string {
  return `${keyPart(prefix, 'prefix')}:im:{room:${keyPart(roomId, 'roomId')}}:nodes`;
}

/** The registry value of one node (heartbeatAt = now). */
export function formatImNodeEntry(info: ImNodeInfo, now: number): string {
  return JSON.stringify({ ...info, heartbeatAt: now });
}

/**
 * A node whose registry entry has not been refreshed for this long is taken for dead (it refreshes every
 * 10 s at most): not handed out to clients (api-gateway), and its bindings no longer count as the user's sockets
 * (gift-service's check of a PK session end).
 */
export const IM_NODE_STALE_MS = 30_000;

export class ImNodeRegistryReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'hgetall'>,
    private readonly prefix: string,
  ) {}

  /**
   * Every registered node by id, as much of ImNodeInfo as its entry holds (fields unchecked);
   * `onBadEntry` hears of entries that are not JSON, which are left out.
   */
  async entries(
    onBadEntry: (nodeId: string) => void = () => undefined,
  ): Promise<Map<string, Partial<Record<keyof ImNodeInfo, unknown>>>> {
    const raw = await this.redis.hgetall(imNodeRegistryKey(this.prefix));
    const nodes = new Map<string, Partial<Record<keyof ImNodeInfo, unknown>>>();
    for (const nodeId of Object.keys(raw).sort()) {
      try {
        nodes.set(nodeId, JSON.parse(raw[nodeId]) as Partial<Record<keyof ImNodeInfo, unknown>>);
      } catch {
        onBadEntry(nodeId);
      }
    }
    return nodes;
  }

  /** The entries refreshed within IM_NODE_STALE_MS of `now` (the live nodes), by id in order. */
  async freshEntries(now = Date.now()): Promise<Map<string, Partial<Record<keyof ImNodeInfo, unknown>>>> {
    const entries = await this.entries();
    for (const [nodeId, node] of entries)
      if (typeof node.heartbeatAt !== 'number' || now - node.heartbeatAt >= IM_NODE_STALE_MS) entries.delete(nodeId);
    return entries;
  }

  /** The ids of the live nodes (freshEntries). */
  async freshNodeIds(now = Date.now()): Promise<Set<string>> {
    return new Set((await this.freshEntries(now)).keys());
  }
}

export class ImPresenceReader {
  constructor(
    private readonly redis: Pick<RedisReadable, 'zrangebyscore'>,
    private readonly prefix: string,
  ) {}

  /** The nodes each user is connected to, in the order asked (one round trip per Redis node). */
  nodesOfUsers(userIds: readonly number[]): Promise<string[][]> {
    return this.liveMembers(userIds.map((u) => imUserNodesKey(this.prefix, u)));
  }

  /** The nodes with members of each room, in the order asked (one round trip per Redis node). */
  nodesOfRooms(roomIds: readonly number[]): Promise<string[][]> {
    return this.liveMembers(roomIds.map((r) => imRoomNodesKey(this.prefix, r)));
  }

  /**
   * Members of each sorted set whose expiry score is still ahead: one command per key, all at once. The
   * client's auto-pipelining writes them in one pipeline per Redis node (a Redis Cluster refuses one
   * manual pipeline over keys of several nodes).
   */
  private async liveMembers(keys: string[]): Promise<string[][]> {
    const now = Date.now();
    return Promise.all(keys.map((key) => this.redis.zrangebyscore(key, now, '+inf')));
  }
}
