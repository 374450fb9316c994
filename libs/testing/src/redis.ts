import { validateEnv } from '@live/common';
import { createClusterClient, createSingleRedisClient, deleteMatching, RedisEnv } from '@live/redis';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { uniqueName } from './names';

export interface TestRedis {
  redis: Redis;
  /** A REDIS_KEY_PREFIX no other run uses. */
  prefix: string;
  /** Deletes every key under the prefix (SCAN, not KEYS) and disconnects. */
  cleanup(): Promise<void>;
}

/** The Redis of REDIS_HOST/REDIS_PORT (as `scripts/infra up` provides) with a throwaway key prefix. */
export async function createTestRedis(): Promise<TestRedis> {
  const prefix = uniqueName('t');
  const redis = createSingleRedisClient(validateEnv(RedisEnv, { ...process.env, REDIS_CLUSTER_NODES: undefined }));
  await redis.ping();
  return {
    redis,
    prefix,
    async cleanup() {
      for (const db of [0, ...new Set([Number(process.env.REDIS_DB ?? 0)])]) {
        await redis.select(db);
        await deleteMatching(redis, `${prefix}:*`);
      }
      await redis.quit();
    },
  };
}

const ROOT = join(__dirname, '..', '..', '..');
const CLUSTER_SCRIPT = join(ROOT, 'scripts', 'redis-cluster');

/** The marker of a cluster a test run created, in scripts/redis-cluster's state (read by test/integration-teardown.ts). */
function createdByTestsMarker(): string {
  return join(process.env.LIVE_GIFT_INFRA_STATE ?? join(ROOT, '.infra'), 'redis-cluster', 'created-by-tests');
}

/** Runs scripts/redis-cluster with the arguments; its output, or an error holding it. */
export function runRedisClusterScript(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [CLUSTER_SCRIPT, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err)
        reject(new Error(`scripts/redis-cluster ${args.join(' ')} failed (${err.message}):\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

export interface TestRedisCluster {
  redis: Cluster;
  /** REDIS_CLUSTER_NODES of the cluster. */
  nodes: string;
  /** The RedisEnv of an app on this cluster (REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX = prefix). */
  env: RedisEnv;
  prefix: string;
  /** Deletes every key under the prefix on every master and disconnects; the cluster stays up. */
  cleanup(): Promise<void>;
}

/**
 * The Redis Cluster of scripts/redis-cluster (3 masters + 3 replicas; brought up when it is not, about
 * 2 s) with a throwaway key prefix. A cluster created here is marked, and the integration project's
 * global teardown (test/integration-teardown.ts) takes it down after the run. Cannot start: throws why.
 */
export async function createTestRedisCluster(): Promise<TestRedisCluster> {
  const output = await runRedisClusterScript('up');
  if (/creating the cluster/.test(output)) writeFileSync(createdByTestsMarker(), `${process.pid}\n`);
  const exported = /REDIS_CLUSTER_NODES=(\S+)/.exec(await runRedisClusterScript('env'));
  if (!exported) throw new Error('scripts/redis-cluster env printed no REDIS_CLUSTER_NODES');
  const prefix = uniqueName('t');
  const env = validateEnv(RedisEnv, {
    ...process.env,
    REDIS_CLUSTER_NODES: exported[1],
    REDIS_DB: '0',
    REDIS_KEY_PREFIX: prefix,
  });
  const redis = createClusterClient(env);
  await redis.ping();
  return {
    redis,
    nodes: exported[1],
    env,
    prefix,
    async cleanup() {
      await deleteMatching(redis, `${prefix}:*`);
      await redis.quit();
    },
  };
}
