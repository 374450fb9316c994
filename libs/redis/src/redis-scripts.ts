import type { Redis } from 'ioredis';

/** A Lua script to register as a Redis command: how many of its arguments are keys, and its source. */
export interface RedisScript {
  numberOfKeys: number;
  lua: string;
}

/**
 * Registers each script as a command on the client, once per client (ioredis then calls it with EVALSHA:
 * the script is not sent, nor parsed by Redis, on every call), and returns the client typed with the
 * commands `T` declares.
 */
export function withScripts<T extends object>(redis: Redis, scripts: Readonly<Record<string, RedisScript>>): Redis & T {
  for (const [name, script] of Object.entries(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, script);
  }
  return redis as Redis & T;
}
