/**
 * The engines of the cluster chaos run, through their scripts: the 3-broker KRaft Kafka
 * (scripts/kafka-cluster), the Redis Cluster of 3 masters + 3 replicas (scripts/redis-cluster) and
 * MariaDB (scripts/infra). Up with the time each took and its memory; down at the end (also on failure
 * and Ctrl-C); and the faults: kill -9 / restart of one broker, of one Redis node.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';

const ROOT = join(__dirname, '..', '..', '..');
const execFileAsync = promisify(execFile);
/**
 * The run's own engine ports, away from the scripts' defaults (29092.., 27001..) that other checkouts'
 * tests may hold: the scripts would use such a cluster as is, and this run must own what it kills.
 */
const KAFKA_BASE = process.env.KAFKA_CLUSTER_BASE_PORT ?? '29392';
const REDIS_BASE = Number(process.env.REDIS_CLUSTER_BASE_PORT ?? 27101);

export interface EngineUp {
  engine: string;
  upSeconds: number;
  rssMb: number;
  processes: number;
}

export interface ClusterEngines {
  kafkaBrokers: string;
  redisNodes: string;
  replicationFactor: number;
  minInsync: number;
}

/** Resident memory of a process in MB (0 once it is gone). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const readPid = (file: string): number | undefined =>
  existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined;

/** `export A=1 B=2` lines -> { A: '1', B: '2' } */
function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g))
    out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  return out;
}

export class ClusterInfra {
  /** Where the scripts keep pid files and data for this run (LIVE_GIFT_INFRA_STATE). */
  readonly state: string;
  private readonly started: string[] = [];

  constructor(state: string) {
    this.state = state;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      LIVE_GIFT_INFRA_STATE: this.state,
      KAFKA_CLUSTER_BASE_PORT: KAFKA_BASE,
      REDIS_CLUSTER_BASE_PORT: String(REDIS_BASE),
    };
  }

  private script(name: string, args: string[]): Promise<string> {
    return execFileAsync('bash', [join(ROOT, 'scripts', name), ...args], {
      cwd: ROOT,
      env: this.env(),
      maxBuffer: 16 * 1024 * 1024,
    }).then(
      (r) => r.stdout,
      (err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`scripts/${name} ${args.join(' ')} failed: ${err.stderr || err.stdout || err.message}`);
      },
    );
  }

  /** MariaDB (scripts/infra, the shared server when one runs), the Kafka cluster and the Redis Cluster, timed. */
  async up(): Promise<{ engines: ClusterEngines; report: EngineUp[] }> {
    const report: EngineUp[] = [];
    const timed = async (engine: string, act: () => Promise<unknown>, pids: () => (number | undefined)[]) => {
      const t0 = Date.now();
      await act();
      const list = pids().filter((p): p is number => p !== undefined);
      report.push({
        engine,
        upSeconds: Number(((Date.now() - t0) / 1_000).toFixed(1)),
        rssMb: list.reduce((s, p) => s + rssMb(p), 0),
        processes: list.length,
      });
    };
    await timed(
      'mariadb',
      () => execFileAsync('bash', [join(ROOT, 'scripts/infra'), 'up'], { cwd: ROOT }),
      () => [pidOf(/mariadbd|mysqld/)],
    );
    // One at a time: on two cores, the three JVMs and the Redis Cluster starting together slow each other down.
    this.started.push('kafka');
    await timed(
      'kafka (3 brokers)',
      () => this.script('infra', ['up', '--cluster', 'kafka']),
      () => this.kafkaPids(),
    );
    this.started.push('redis');
    await timed(
      'redis cluster (6 nodes)',
      () => this.script('infra', ['up', '--cluster', 'redis']),
      () => this.redisPids(),
    );
    const env = {
      ...parseExports(await this.script('kafka-cluster', ['env'])),
      ...parseExports(await this.script('redis-cluster', ['env'])),
    };
    if (!env.KAFKA_BROKERS || !env.REDIS_CLUSTER_NODES)
      throw new Error(
        `the cluster scripts' env printed no KAFKA_BROKERS / REDIS_CLUSTER_NODES: ${JSON.stringify(env)}`,
      );
    const engines: ClusterEngines = {
      kafkaBrokers: env.KAFKA_BROKERS,
      redisNodes: env.REDIS_CLUSTER_NODES,
      replicationFactor: Number(env.KAFKA_REPLICATION_FACTOR ?? 3),
      minInsync: Number(env.KAFKA_MIN_INSYNC_REPLICAS ?? 2),
    };
    return { engines, report };
  }

  /** Stops what up() started (not MariaDB: it is shared). Never throws. */
  async down(): Promise<void> {
    for (const name of this.started.reverse())
      await this.script('infra', ['down', '--cluster', name]).catch((e: Error) => console.error(e.message));
    this.started.length = 0;
  }

  /** Synchronous down, for process exit paths where nothing async runs any more. */
  downSync(): void {
    for (const name of this.started.reverse()) {
      try {
        execFileSync('bash', [join(ROOT, 'scripts/infra'), 'down', '--cluster', name], {
          cwd: ROOT,
          env: this.env(),
          stdio: 'ignore',
        });
      } catch {
        // best effort on the way out
      }
    }
    this.started.length = 0;
  }

  kafkaPids(): (number | undefined)[] {
    return [1, 2, 3].map((id) => readPid(join(this.state, 'kafka-cluster', `node-${id}.pid`)));
  }

  redisPorts(nodes: string): number[] {
    return nodes.split(',').map((n) => Number(n.trim().split(':').pop()));
  }

  redisPids(): (number | undefined)[] {
    const dir = join(this.state, 'redis-cluster');
    return [0, 1, 2, 3, 4, 5].map((k) => readPid(join(dir, `redis-${REDIS_BASE + k}.pid`)));
  }

  /** kill -9 of one broker (scripts/kafka-cluster kill <id>). */
  killBroker(id: number): Promise<string> {
    return this.script('kafka-cluster', ['kill', String(id)]);
  }

  startBroker(id: number): Promise<string> {
    return this.script('kafka-cluster', ['start', String(id)]);
  }

  /** kill -9 of one Redis node, by its pid file. */
  killRedis(port: number): void {
    const pid = readPid(join(this.state, 'redis-cluster', `redis-${port}.pid`));
    if (!pid) throw new Error(`no pid file for the Redis node on ${port}: cannot inject the fault`);
    process.kill(pid, 'SIGKILL');
  }

  /** Starts one Redis node again: it rejoins as a replica (scripts/redis-cluster start <port>). */
  startRedis(port: number): Promise<string> {
    return this.script('redis-cluster', ['start', String(port)]);
  }
}

/** The first process whose command line matches (ps), for the shared MariaDB's memory. */
function pidOf(pattern: RegExp): number | undefined {
  const rows = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  for (const row of rows) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(row);
    if (m && pattern.test(m[2].split(' ')[0])) return Number(m[1]);
  }
  return undefined;
}

/** One command to one node (no retry, no reconnect); undefined when the node does not answer. */
async function askNode(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await r.connect();
    return await r.call(...command);
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}

/** The master serving one slot, asked of any live node: `port` (127.0.0.1 here), or undefined. */
export async function redisMasterOf(slot: number, ports: number[], skip?: number): Promise<number | undefined> {
  for (const port of ports) {
    if (port === skip) continue;
    const slots = (await askNode(port, 'CLUSTER', 'SLOTS')) as [number, number, [string, number]][] | undefined;
    const hit = slots?.find(([from, to]) => slot >= from && slot <= to);
    if (hit) return Number(hit[2][1]);
  }
  return undefined;
}

/** `ROLE` of one node: 'master', or 'slave' once connected to its master; undefined while down. */
export async function redisRole(port: number): Promise<string | undefined> {
  const role = (await askNode(port, 'ROLE')) as unknown[] | undefined;
  if (!role) return undefined;
  return role[0] === 'slave' && role[3] !== 'connected' ? 'slave (syncing)' : String(role[0]);
}
