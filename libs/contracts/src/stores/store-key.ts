/**
 * The parts of a Redis key: `${prefix}:<app>:{<entity>:<id>}:...`. The owner's key builder (@live/redis)
 * and the readers it publishes here build their keys with the same checks.
 */

/** A key part: a positive safe integer, or a non-empty string without spaces or braces (at most 256 chars). */
export function keyPart(value: number | string, what: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new Error(`redis key: ${what} must be a positive integer, got ${value}`);
    return String(value);
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || /[\s{}]/.test(value)) {
    throw new Error(
      `redis key: ${what} must be a non-empty string without spaces or braces, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * The Redis commands the readers need: an ioredis client (one server or a Cluster) fits. No pipelines:
 * readers send one command per key at once and rely on the client's auto-pipelining (Cluster-safe).
 */
export interface RedisReadable {
  get(key: string): Promise<string | null>;
  getdel(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  exists(key: string): Promise<number>;
  zrangebyscore(key: string, min: number | string, max: number | string): Promise<string[]>;
}
