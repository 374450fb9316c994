/**
 * The apps of the cluster chaos run (bench/chaos-cluster.ts): two instances each of api-gateway,
 * gift-service, bank-service and im-router, three im-core nodes, each with its own ports and instance id,
 * all pointed at the Redis Cluster (REDIS_CLUSTER_NODES), the 3-broker Kafka (KAFKA_BROKERS) and the
 * RPC address lists naming both instances of each service (BANK_RPC_ADDRESSES and friends). Each
 * gift-service instance reaches MariaDB through its own TCP proxy, so one can be cut off alone.
 */
export type AppName = 'api-gateway' | 'gift-service' | 'bank-service' | 'im-router' | 'im-core';

export interface Instance {
  /** `gift-service#1` */
  name: string;
  app: AppName;
  /** The HTTP port whose /health reports the app (im-core and api-gateway: their public port). */
  http: number;
  rpc?: number;
  /** gift-service only: the port of its own proxy to MariaDB. */
  dbProxy?: number;
  env: Record<string, string>;
}

export interface Layout {
  instances: Instance[];
  /** Environment every instance shares (each instance's own `env` comes on top). */
  shared: Record<string, string>;
}

const COUNT: Record<AppName, number> = {
  'api-gateway': 2,
  'gift-service': 2,
  'bank-service': 2,
  'im-router': 2,
  'im-core': 3,
};
/** Port offsets from the base: HTTP at +10*k + n, RPC at +10*k + 5 + n. */
const OFFSET: Record<AppName, number> = {
  'api-gateway': 0,
  'gift-service': 10,
  'bank-service': 20,
  'im-router': 30,
  'im-core': 40,
};
const DB_PROXY_OFFSET = 50;

const list = (ports: number[]): string => ports.map((p) => `127.0.0.1:${p}`).join(',');

export function clusterLayout(
  base: number,
  id: string,
  engines: { kafkaBrokers: string; redisNodes: string; replicationFactor: number; minInsync: number },
): Layout {
  const instances: Instance[] = [];
  for (const app of Object.keys(COUNT) as AppName[]) {
    for (let n = 1; n <= COUNT[app]; n++) {
      const http = base + OFFSET[app] + n - 1;
      const rpc = app === 'api-gateway' ? undefined : base + OFFSET[app] + 5 + n - 1;
      const dbProxy = app === 'gift-service' ? base + DB_PROXY_OFFSET + n - 1 : undefined;
      instances.push({ name: `${app}#${n}`, app, http, rpc, dbProxy, env: ownEnv(app, n, id, http, rpc, dbProxy) });
    }
  }
  const rpcOf = (app: AppName): number[] => instances.filter((i) => i.app === app).map((i) => i.rpc!);
  const shared: Record<string, string> = {
    DB_NAME: `lg_cluster_${id}`,
    DB_POOL_SIZE: '10',
    REDIS_KEY_PREFIX: `cluster_${id}`,
    REDIS_CLUSTER_NODES: engines.redisNodes,
    REDIS_DB: '0',
    KAFKA_BROKERS: engines.kafkaBrokers,
    KAFKA_REPLICATION_FACTOR: String(engines.replicationFactor),
    KAFKA_MIN_INSYNC_REPLICAS: String(engines.minInsync),
    KAFKA_TOPIC_PREFIX: `cluster_${id}.`,
    LOG_LEVEL: 'warn',
    GATEWAY_BENCH_ROUTES: 'true',
    // PKs of 45 s (default 5 min): the PK room's battles end by time within the run, and PkLoad starts the next.
    GIFT_PK_DURATION_MS: '45000',
    BANK_RPC_ADDRESSES: list(rpcOf('bank-service')),
    GIFT_RPC_ADDRESSES: list(rpcOf('gift-service')),
    IM_ROUTER_RPC_ADDRESSES: list(rpcOf('im-router')),
    // The single-address settings of callers that do not read the lists yet: the first instance.
    BANK_RPC_PORT: String(rpcOf('bank-service')[0]),
    GIFT_RPC_PORT: String(rpcOf('gift-service')[0]),
    IM_ROUTER_RPC_PORT: String(rpcOf('im-router')[0]),
  };
  return { instances, shared };
}

function ownEnv(
  app: AppName,
  n: number,
  id: string,
  http: number,
  rpc: number | undefined,
  dbProxy: number | undefined,
): Record<string, string> {
  switch (app) {
    case 'api-gateway':
      return { GATEWAY_HTTP_PORT: String(http) };
    case 'gift-service':
      return {
        GIFT_HTTP_PORT: String(http),
        GIFT_RPC_PORT: String(rpc),
        GIFT_INSTANCE_ID: `cluster-${id}-gift-${n}`,
        DB_PORT: String(dbProxy),
      };
    case 'bank-service':
      return { BANK_HTTP_PORT: String(http), BANK_RPC_PORT: String(rpc) };
    case 'im-router':
      return { IM_ROUTER_HTTP_PORT: String(http), IM_ROUTER_RPC_PORT: String(rpc) };
    case 'im-core':
      return { IM_CORE_WS_PORT: String(http), IM_CORE_RPC_PORT: String(rpc), IM_CORE_NODE_ID: `cluster-${id}-im-${n}` };
  }
}

/** The instances of one app. */
export const instancesOf = (layout: Layout, app: AppName): Instance[] => layout.instances.filter((i) => i.app === app);
