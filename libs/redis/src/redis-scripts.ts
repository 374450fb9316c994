import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * A Lua script to register as a Redis command: how many of its arguments are keys, and its source.
 * Cluster rule: the keys of one call share one hash tag (one slot), see redis-keys.ts.
 */
export interface RedisScript {
  /**
   * Unset: as many keys as each call names, passed first (`numkeys, ...keys, ...args`). Auto-pipelining
   * groups calls by their first argument, here a number: on a Cluster such a script goes out unpipelined
   * (routed by its keys), on one server it is pipelined as any command.
   */
  numberOfKeys?: number;
  lua: string;
}

/**
 * Registers each script as a command on the client, once per client (ioredis then calls it with EVALSHA:
 * the script is not sent, nor parsed by Redis, on every call), and returns the client typed with the
 * commands `T` declares. Its first argument is a key, so auto-pipelining sends it to that key's node.
 */
export function withScripts<T extends object>(
  redis: RedisClient,
  scripts: Readonly<Record<string, RedisScript>>,
): RedisClient & T {
  for (const [name, script] of Object.entries(scripts)) {
    if (name in redis) continue;
    redis.defineCommand(name, script);
    if (script.numberOfKeys === undefined && redis instanceof Cluster) {
      const options = redis.options as { autoPipeliningIgnoredCommands?: string[] };
      options.autoPipeliningIgnoredCommands = [...(options.autoPipeliningIgnoredCommands ?? []), name];
    }
  }
  return redis as RedisClient & T;
}
