import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { parseRedisNodes, RedisEnv } from './redis.env';

/** What every app, lib and the bench are handed: one Redis server, or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/**
 * EVAL/EVALSHA name the script before the keys, and auto-pipelining groups commands by their first
 * argument: on a Cluster two scripts with keys on different nodes would share one pipeline and fail.
 * They go out one by one; the scripts registered with withScripts (named commands) are pipelined by key.
 */
const UNPIPELINED_COMMANDS = ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'];

/** Where the client connects, for logs and errors. */
export function describeRedisTarget(env: RedisEnv): string {
  return env.REDIS_CLUSTER_NODES
    ? `Redis Cluster ${env.REDIS_CLUSTER_NODES}`
    : `Redis ${env.REDIS_HOST}:${env.REDIS_PORT} db ${env.REDIS_DB}`;
}

/** One server: REDIS_HOST, REDIS_PORT, REDIS_DB. */
export function createSingleRedisClient(env: RedisEnv): Redis {
  return new Redis({
    host: env.REDIS_HOST,
    port: env.REDIS_PORT,
    password: env.REDIS_PASSWORD,
    db: env.REDIS_DB,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // Commands issued in the same tick (many concurrent requests) leave in one write: under load the
    // socket writes, not Redis, were the gateway's biggest cost.
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: UNPIPELINED_COMMANDS,
  });
}

/**
 * A Redis Cluster from its seed nodes (REDIS_CLUSTER_NODES). Auto-pipelining sends the commands of one
 * tick in one write per node; reads and writes go to masters (a replica may lag behind a write).
 * A failover (cluster-node-timeout plus the election, seconds) is ridden out: commands to a lost master
 * wait for the slots to be refreshed and go to its promoted replica.
 */
export function createClusterClient(env: RedisEnv): Cluster {
  if (!env.REDIS_CLUSTER_NODES) throw new Error('createClusterClient: REDIS_CLUSTER_NODES is not set');
  return new Cluster(parseRedisNodes(env.REDIS_CLUSTER_NODES), {
    scaleReads: 'master',
    enableAutoPipelining: true,
    autoPipeliningIgnoredCommands: UNPIPELINED_COMMANDS,
    enableOfflineQueue: true,
    // Reconnects to the seed nodes forever, at most every 2 s (a start-up wait or a whole-cluster outage).
    clusterRetryStrategy: (times) => Math.min(100 + times * 100, 2_000),
    // A node answering CLUSTER SLOTS slowly while the cluster elects a new master is not dead.
    slotsRefreshTimeout: 2_000,
    slotsRefreshInterval: 5_000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    redisOptions: { password: env.REDIS_PASSWORD, maxRetriesPerRequest: 2, connectTimeout: 5_000 },
  });
}

/** One ioredis client per process (a Cluster when REDIS_CLUSTER_NODES is set); logs each change of state once, not every retry. */
export function createRedisClient(env: RedisEnv, logger = new Logger('Redis')): RedisClient {
  const client: RedisClient = env.REDIS_CLUSTER_NODES ? createClusterClient(env) : createSingleRedisClient(env);
  const target = describeRedisTarget(env);
  let state = 'connecting';
  const to = (next: string, log: () => void): void => {
    if (state !== next) log();
    state = next;
  };
  client.on('ready', () => to('ready', () => logger.log(`connected to ${target}`)));
  client.on('error', (err: Error) => to('error', () => logger.error(`${target}: ${err.message}`)));
  client.on('reconnecting', () => to('reconnecting', () => logger.warn('reconnecting')));
  if (client instanceof Cluster) {
    client.on('node error', (err: Error, node: string) =>
      to(`node error ${node}`, () => logger.warn(`${target}: node ${node}: ${err.message}`)),
    );
  }
  return client;
}

/** The oldest Redis the apps run on: 7.0 (`SET ... NX GET` claims an Idempotency-Key; GETDEL, EXPIRE options). */
export const MIN_REDIS_VERSION = { major: 7, minor: 0 } as const;

/** The server's version in an `INFO server` answer ("7.0.15"), or undefined when it does not say one. */
export function redisVersionOf(info: string): string | undefined {
  return /^redis_version:(\d+\.\d+\S*)/m.exec(info)?.[1];
}

/**
 * Why the server of this `INFO server` answer is too old to run the apps, or undefined when it is new
 * enough or does not say its version (a proxy may hide it: not judged).
 */
export function redisVersionProblem(info: string): string | undefined {
  const version = redisVersionOf(info);
  if (version === undefined) return undefined;
  const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
  if (major > MIN_REDIS_VERSION.major || (major === MIN_REDIS_VERSION.major && minor >= MIN_REDIS_VERSION.minor))
    return undefined;
  return (
    `Redis ${version} is too old: ${MIN_REDIS_VERSION.major}.${MIN_REDIS_VERSION.minor} or later is ` +
    `needed (an Idempotency-Key is claimed with SET ... NX GET)`
  );
}
