import { Cluster } from 'ioredis';
import type { Redis } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * Work on many keys that works on a Redis Cluster too. A Cluster refuses a multi-key command (MGET, DEL)
 * or a MULTI whose keys sit in different slots (CROSSSLOT), and ioredis refuses a manual pipeline whose
 * keys sit on different nodes. So: one command per key (or per slot), sent concurrently; with
 * enableAutoPipelining ioredis writes those of one tick in one pipeline per node (on one server: one
 * round trip, as a manual pipeline).
 */

/** The Redis Cluster hash slot of a key: CRC16/XMODEM of its hash tag (or of the whole key), mod 16384. */
export function clusterSlot(key: string): number {
  const open = key.indexOf('{');
  let hashed = key;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
}

/**
 * Waits for every call (none is left running unobserved), then answers their replies in order, or
 * throws the first failure (mapped by `describe`, given its position).
 */
export async function settleAll<T>(
  calls: readonly Promise<T>[],
  describe: (err: Error, index: number) => Error = (err) => err,
): Promise<T[]> {
  const settled = await Promise.allSettled(calls);
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    const reason = (settled[failed] as PromiseRejectedResult).reason as unknown;
    throw describe(reason instanceof Error ? reason : new Error(String(reason)), failed);
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** At most this many keys per MGET or DEL. */
const KEYS_PER_COMMAND = 1_000;

/** The positions of the keys, in groups a multi-key command may take: per slot on a Cluster, in chunks. */
function groups(redis: RedisClient, keys: readonly string[]): number[][] {
  return slotGroups(redis, keys, KEYS_PER_COMMAND);
}

/**
 * The positions of the keys, in groups one call may name: per slot on a Cluster (keys of other slots never
 * share a call), all together on one server; at most `perCall` per group.
 */
export function slotGroups(redis: RedisClient, keys: readonly string[], perCall: number): number[][] {
  const bySlot = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = redis instanceof Cluster ? clusterSlot(key) : 0;
    const group = bySlot.get(slot);
    if (group) group.push(i);
    else bySlot.set(slot, [i]);
  });
  const out: number[][] = [];
  for (const group of bySlot.values())
    for (let i = 0; i < group.length; i += perCall) out.push(group.slice(i, i + perCall));
  return out;
}

/**
 * One script call per slot group (slotGroups), all at once: `one(i)` for a group of a single key (a script
 * registered with numberOfKeys: auto-pipelined by its key on a Cluster too, the usual case there), `many(part)`
 * for a group of several (a variadic script, numkeys first). The groups, and the calls in their order.
 */
export function callsPerSlotGroup<T>(
  redis: RedisClient,
  keys: readonly string[],
  perCall: number,
  one: (i: number) => Promise<T>,
  many: (part: number[]) => Promise<T>,
): { parts: number[][]; calls: Promise<T>[] } {
  const parts = slotGroups(redis, keys, perCall);
  return { parts, calls: parts.map((part) => (part.length === 1 ? one(part[0]) : many(part))) };
}

/** The values of the keys, in their order (MGET per slot on a Cluster, one MGET per 1000 keys on one server). */
export async function getMany(redis: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  const parts = groups(redis, keys);
  const replies = await settleAll(parts.map((part) => redis.mget(part.map((i) => keys[i]))));
  const values = new Array<string | null>(keys.length).fill(null);
  parts.forEach((part, g) => part.forEach((i, k) => (values[i] = replies[g][k])));
  return values;
}

/** Deletes the keys (DEL per slot on a Cluster); how many existed. */
export async function deleteMany(redis: RedisClient, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const counts = await settleAll(groups(redis, keys).map((part) => redis.del(part.map((i) => keys[i]))));
  return counts.reduce((a, b) => a + b, 0);
}

/** The servers holding the data: every master of a Cluster, or the one server. */
export function dataNodes(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** Every key matching the pattern (SCAN on every master of a Cluster). For clean-up and audits, not hot paths. */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of dataNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/** Deletes every key matching the pattern; how many. */
export async function deleteMatching(redis: RedisClient, pattern: string): Promise<number> {
  return deleteMany(redis, await scanKeys(redis, pattern));
}
