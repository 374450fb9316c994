import { ConfigValidationError, validateEnv } from '@live/common';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient, redisVersionProblem } from './redis-client';
import { parseRedisNodes, RedisEnv } from './redis.env';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn() } as never;

describe('createRedisClient', () => {
  it('builds an ioredis Cluster from REDIS_CLUSTER_NODES: masters only, auto-pipelined, the password on every node', () => {
    const env = validateEnv(RedisEnv, {
      REDIS_CLUSTER_NODES: '127.0.0.1:27001, 127.0.0.1:27002,10.0.0.3:7000',
      REDIS_HOST: 'ignored.example',
      REDIS_PASSWORD: 'pw',
    });
    const client = createRedisClient(env, quiet);
    try {
      expect(client).toBeInstanceOf(Cluster);
      const cluster = client as Cluster;
      expect(cluster.options).toMatchObject({
        scaleReads: 'master',
        enableAutoPipelining: true,
        redisOptions: expect.objectContaining({ password: 'pw' }),
      });
      expect(cluster.options.autoPipeliningIgnoredCommands).toEqual(expect.arrayContaining(['eval', 'evalsha']));
      expect(cluster.options.clusterRetryStrategy?.(1)).toBeGreaterThan(0);
      expect(cluster.options.clusterRetryStrategy?.(1_000)).toBe(2_000);
      expect(cluster.options.keyPrefix ?? '').toBe('');
    } finally {
      client.disconnect();
    }
  });

  it('builds one Redis without REDIS_CLUSTER_NODES', () => {
    const client = createRedisClient(validateEnv(RedisEnv, { REDIS_PORT: '6390', REDIS_DB: '3' }), quiet);
    try {
      expect(client).toBeInstanceOf(Redis);
      expect((client as Redis).options).toMatchObject({ port: 6390, db: 3, enableAutoPipelining: true });
    } finally {
      client.disconnect();
    }
  });
});

describe('RedisEnv.REDIS_CLUSTER_NODES', () => {
  const problems = (source: Record<string, string>): string[] => {
    try {
      validateEnv(RedisEnv, source);
      return [];
    } catch (err: unknown) {
      if (err instanceof ConfigValidationError) return err.problems;
      throw err;
    }
  };

  it('refuses REDIS_DB other than 0 with a cluster, and says why', () => {
    expect(problems({ REDIS_CLUSTER_NODES: '127.0.0.1:27001', REDIS_DB: '2' })).toEqual([
      'REDIS_DB: must be 0 with REDIS_CLUSTER_NODES (a Redis Cluster has only database 0) (got "2")',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: '127.0.0.1:27001', REDIS_DB: '0' })).toEqual([]);
    expect(problems({ REDIS_DB: '2' })).toEqual([]);
  });

  it.each(['redis', 'a:0', 'a:65536', 'a:1;b:2', 'a:1,b', ':1', 'a b:1', ','])('refuses the list %p', (list) => {
    expect(problems({ REDIS_CLUSTER_NODES: list })).toEqual([
      `REDIS_CLUSTER_NODES: must be a comma-separated list of host:port (ports 1-65535) (got ${JSON.stringify(list)})`,
    ]);
  });

  it('reads host:port entries, spaces and a trailing comma allowed', () => {
    expect(parseRedisNodes(' a:1 , b.example:65535,')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b.example', port: 65_535 },
    ]);
  });
});

describe('redisVersionProblem (the start-up check of the server version)', () => {
  const info = (version: string) => `# Server\r\nredis_version:${version}\r\nredis_git_sha1:00000000\r\n`;

  it('accepts 7.0 and later', () => {
    for (const v of ['7.0.0', '7.0.15', '7.2.4', '8.0.1', '10.1.0'])
      expect(redisVersionProblem(info(v))).toBeUndefined();
  });

  it('refuses older servers, naming the version and why', () => {
    expect(redisVersionProblem(info('6.2.14'))).toBe(
      'Redis 6.2.14 is too old: 7.0 or later is needed (an Idempotency-Key is claimed with SET ... NX GET)',
    );
    for (const v of ['6.0.16', '5.0.7', '2.8.0'])
      expect(redisVersionProblem(info(v))).toContain(`Redis ${v} is too old`);
  });

  it('does not judge an answer without a version (a proxy that hides it, or no INFO at all)', () => {
    expect(redisVersionProblem('')).toBeUndefined();
    expect(redisVersionProblem('# Server\r\nproxy:yes\r\n')).toBeUndefined();
  });
});
