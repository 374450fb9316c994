import { clusterLayout, instancesOf } from '../../bench/support/cluster-layout';
import { RpcServed, rpcShares } from '../../bench/support/rpc-served';

const engines = {
  kafkaBrokers: '127.0.0.1:29392,127.0.0.1:29393,127.0.0.1:29394',
  redisNodes: '127.0.0.1:27101,127.0.0.1:27102',
  replicationFactor: 3,
  minInsync: 2,
};

describe('cluster chaos layout', () => {
  const layout = clusterLayout(24_000, 'abc', engines);

  it('runs api-gateway, gift-service, bank-service and im-router twice and im-core three times, each on its own ports', () => {
    expect(layout.instances.map((i) => i.name)).toEqual([
      'api-gateway#1',
      'api-gateway#2',
      'gift-service#1',
      'gift-service#2',
      'bank-service#1',
      'bank-service#2',
      'im-router#1',
      'im-router#2',
      'im-core#1',
      'im-core#2',
      'im-core#3',
    ]);
    const ports = layout.instances.flatMap((i) => [i.http, i.rpc, i.dbProxy].filter((p) => p !== undefined));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('gives every caller both instances of each RPC service, and each instance its own id and ports', () => {
    const rpcList = (app: 'bank-service' | 'gift-service' | 'im-router'): string =>
      instancesOf(layout, app)
        .map((i) => `127.0.0.1:${i.rpc}`)
        .join(',');
    expect(layout.shared).toMatchObject({
      BANK_RPC_ADDRESSES: rpcList('bank-service'),
      GIFT_RPC_ADDRESSES: rpcList('gift-service'),
      IM_ROUTER_RPC_ADDRESSES: rpcList('im-router'),
      REDIS_CLUSTER_NODES: engines.redisNodes,
      REDIS_DB: '0',
      KAFKA_BROKERS: engines.kafkaBrokers,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    const [g1, g2] = instancesOf(layout, 'gift-service');
    expect(g1.env.GIFT_INSTANCE_ID).not.toBe(g2.env.GIFT_INSTANCE_ID);
    expect([g1.env.DB_PORT, g2.env.DB_PORT]).toEqual([String(g1.dbProxy), String(g2.dbProxy)]);
    expect(new Set(instancesOf(layout, 'im-core').map((i) => i.env.IM_CORE_NODE_ID)).size).toBe(3);
  });
});

describe('RPC calls served per instance', () => {
  const layout = clusterLayout(24_000, 'abc', engines);
  const named = (name: string) => layout.instances.find((i) => i.name === name)!;

  it('adds up the lifetimes of an instance killed and restarted (its counter starts again at 0)', async () => {
    const served = new RpcServed(layout.instances);
    const counts = new Map<string, number>([
      ['bank-service#1', 100],
      ['bank-service#2', 60],
    ]);
    jest.spyOn(RpcServed, 'read').mockImplementation(async (i) => counts.get(i.name));
    await served.sample();
    counts.set('bank-service#2', 80);
    await served.beforeKill(named('bank-service#2'));
    served.restarted(named('bank-service#2'));
    counts.set('bank-service#2', 30);
    counts.set('bank-service#1', 150);
    await served.sample();
    const totals = served.totals();
    expect(totals.get('bank-service#1')).toBe(150);
    expect(totals.get('bank-service#2')).toBe(110);
    expect(totals.get('gift-service#1')).toBeUndefined();
  });

  it('passes a service only when each of its instances served at least a fifth of its calls; im-core is not judged', () => {
    const rows = rpcShares(
      new Map<string, number | undefined>([
        ['bank-service#1', 70],
        ['bank-service#2', 30],
        ['gift-service#1', 95],
        ['gift-service#2', 5],
        ['im-router#1', 10],
        ['im-router#2', undefined],
        ['im-core#1', 100],
        ['im-core#2', 0],
      ]),
    );
    const ok = Object.fromEntries(rows.map((r) => [r.instance, r.ok]));
    expect(ok).toEqual({
      'bank-service#1': true,
      'bank-service#2': true,
      'gift-service#1': true,
      'gift-service#2': false,
      'im-router#1': true,
      'im-router#2': false,
      'im-core#1': true,
      'im-core#2': true,
    });
  });

  it('fails a service with no calls at all', () => {
    const rows = rpcShares(
      new Map([
        ['bank-service#1', 0],
        ['bank-service#2', 0],
      ]),
    );
    expect(rows.every((r) => !r.ok)).toBe(true);
  });
});
