import {
  BANK_SERVICE_CLIENT,
  BankClient,
  BizException,
  createRpcClient,
  HealthDetails,
  HealthModule,
  LoggingModule,
  RpcBalancer,
  RpcClientsModule,
  rpcTimeout,
  startApp,
} from '@live/common';
import { BankRpc, CreatePayOrderRequest, GetBalanceRequest, PaySource } from '@live/contracts';
import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModule } from '@nestjs/testing';
import { IsInt } from 'class-validator';
import { createServer, Server, Socket } from 'node:net';
import { portBlock } from './support/test-stack';
import { waitFor } from './support/wait-for';

/** Pay orders created per instance (by its RPC port): a call that is not retried after sending must not appear twice. */
const ordersMade = new Map<number, number>();

/** A bank-service stand-in: answers GET_BALANCE with its own RPC port, CREATE_PAY_ORDER with a new order. */
@Controller()
class FakeBankController {
  static port = 0;
  private readonly port = FakeBankController.port;

  @MessagePattern({ cmd: BankRpc.GET_BALANCE })
  balance(@Payload() _req: GetBalanceRequest): { balance: number } {
    return { balance: this.port };
  }

  @MessagePattern({ cmd: BankRpc.CREATE_PAY_ORDER })
  createPayOrder(@Payload() _req: CreatePayOrderRequest): { orderId: string } {
    ordersMade.set(this.port, (ordersMade.get(this.port) ?? 0) + 1);
    return { orderId: `PO${this.port}x${ordersMade.get(this.port)}` };
  }
}

/** One instance of the fake bank: a real app (startApp: signed TCP RPC, /health). */
class BankInstance {
  private app: NestFastifyApplication | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly rpcPort: number,
    readonly httpPort: number,
  ) {}

  get key(): string {
    return `127.0.0.1:${this.rpcPort}`;
  }

  async start(): Promise<this> {
    FakeBankController.port = this.rpcPort;
    @Module({
      imports: [LoggingModule.forApp('bank-service'), HealthModule.forRoot({ app: 'bank-service', indicators: [] })],
      controllers: [FakeBankController],
    })
    class FakeBankModule {}
    this.app = await startApp({
      app: 'bank-service',
      module: FakeBankModule,
      http: { host: '127.0.0.1', port: this.httpPort },
      rpc: { host: '127.0.0.1', port: this.rpcPort },
    });
    this.app
      .getMicroservices()[0]
      .unwrap<Server>()
      .on('connection', (s: Socket) => this.sockets.add(s));
    return this;
  }

  /** Like kill -9: every connection reset, the port closed. */
  async kill(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await this.app?.close();
    this.app = null;
  }

  async served(): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/health`);
    const body = (await res.json()) as { data: { rpc?: { served: number } } };
    return body.data.rpc!.served;
  }
}

/** Accepts TCP connections and never answers (a hung process whose kernel still accepts). */
async function hungServer(port: number): Promise<{ bytes: () => number; close: () => Promise<void> }> {
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => (bytes += d.length));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    bytes: () => bytes,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const payOrder = { userId: 1, productId: 1, paySource: PaySource.LIVING_ROOM, payChannel: 0 };

function balancerOf(ports: number[], timeoutMs: number): { bank: BankClient; balancer: RpcBalancer } {
  const instances = ports.map((port) => ({
    key: `127.0.0.1:${port}`,
    proxy: createRpcClient('rpc-spread-it', { host: '127.0.0.1', port }),
  }));
  const balancer = new RpcBalancer('bank-service', instances);
  return { balancer, bank: new BankClient(balancer, timeoutMs) };
}

class CallerEnv {
  @IsInt()
  CALLER_RPC_TIMEOUT_MS: number = 2_000;
}

/** Issue 17: callers spread their RPC over every live instance of a service and skip a dead one within a second. */
describe('RPC calls spread over the instances of a service (real signed TCP)', () => {
  const ports = portBlock(8);
  const a = new BankInstance(ports[0], ports[1]);
  const b = new BankInstance(ports[2], ports[3]);
  const hungPort = ports[4];
  const unusedPort = ports[5];
  let caller: TestingModule;
  let bank: BankClient;
  const saved = process.env.BANK_RPC_ADDRESSES;

  beforeAll(async () => {
    await a.start();
    await b.start();
    process.env.BANK_RPC_ADDRESSES = `${a.key}, ${b.key}`;
    @Module({
      imports: [
        HealthModule.forRoot({ app: 'caller', indicators: [] }),
        RpcClientsModule.register(
          'rpc-spread-it',
          [BANK_SERVICE_CLIENT],
          rpcTimeout(CallerEnv, (e) => e.CALLER_RPC_TIMEOUT_MS),
        ),
      ],
    })
    class CallerModule {}
    caller = await Test.createTestingModule({ imports: [CallerModule] }).compile();
    await caller.init();
    bank = caller.get(BankClient, { strict: false });
  });

  afterAll(async () => {
    process.env.BANK_RPC_ADDRESSES = saved;
    await caller?.close();
    await a.kill();
    await b.kill();
  });

  it('(a, e) both instances carry a real share of 200 calls; each counts what it served in /health, the caller per address', async () => {
    const servedBefore = [await a.served(), await b.served()];
    const answers = new Map<number, number>();
    for (let round = 0; round < 10; round += 1) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => bank.balance(round * 20 + i + 1)));
      for (const { balance } of batch) answers.set(balance, (answers.get(balance) ?? 0) + 1);
    }
    expect([...answers.keys()].sort()).toEqual([a.rpcPort, b.rpcPort].sort());
    expect(Math.min(...answers.values())).toBeGreaterThanOrEqual(80);
    const served = [(await a.served()) - servedBefore[0], (await b.served()) - servedBefore[1]];
    expect(served).toEqual([answers.get(a.rpcPort), answers.get(b.rpcPort)]);
    const details = caller.get(HealthDetails, { strict: false }).read() as {
      rpcClients: Record<string, Record<string, number>>;
    };
    expect(details.rpcClients['bank-service']).toEqual({
      [a.key]: answers.get(a.rpcPort),
      [b.key]: answers.get(b.rpcPort),
    });
  });

  it('(b, c) one instance killed: calls keep succeeding, the dead one skipped within 1 s; restarted, it is back in the rotation', async () => {
    const outcomes: { at: number; ok: boolean; idempotent: boolean }[] = [];
    let stop = false;
    const load = async (idempotent: boolean): Promise<void> => {
      while (!stop) {
        const call = idempotent ? bank.balance(7) : bank.createPayOrder(payOrder);
        const ok = await call.then(
          () => true,
          (e: unknown) => (e instanceof BizException && e.code === 100503 ? false : Promise.reject(e)),
        );
        outcomes.push({ at: Date.now(), ok, idempotent });
        await sleep(2);
      }
    };
    const workers = [...Array.from({ length: 4 }, () => load(true)), ...Array.from({ length: 4 }, () => load(false))];
    await sleep(300);
    const killedAt = Date.now();
    await a.kill();
    await sleep(1_500);
    const afterKill = outcomes.filter((o) => o.at >= killedAt);
    const failed = afterKill.filter((o) => !o.ok);
    // Idempotent calls are retried on the live instance: none fails. A call that may have reached the
    // dead one and is not idempotent fails (only those in flight when it died), and none after 1 s.
    expect(failed.filter((o) => o.idempotent)).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(4);
    const lastFailure = Math.max(killedAt, ...failed.map((o) => o.at));
    expect(lastFailure - killedAt).toBeLessThan(1_000);
    expect(afterKill.filter((o) => o.at > killedAt + 1_000).length).toBeGreaterThan(50);

    const restartedAt = Date.now();
    await a.start();
    const servedAtRestart = await a.served();
    await waitFor(
      'the restarted instance to serve calls',
      async () => (await a.served()) > servedAtRestart + 20,
      8_000,
    );
    stop = true;
    await Promise.all(workers);
    const backWithin = Date.now() - restartedAt;
    expect(backWithin).toBeLessThan(8_000);
    expect(outcomes.filter((o) => o.at > restartedAt && !o.ok)).toEqual([]);
  });

  it('(d) a hung instance (accepts TCP, never answers) stops receiving calls after its first timeout', async () => {
    const hung = await hungServer(hungPort);
    const { bank: spread, balancer } = balancerOf([hungPort, a.rpcPort, b.rpcPort], 300);
    try {
      const slow: number[] = [];
      const started = Date.now();
      while (Date.now() - started < 3_000) {
        const t0 = Date.now();
        await expect(spread.balance(1)).resolves.toHaveProperty('balance');
        if (Date.now() - t0 >= 250) slow.push(Date.now() - started);
      }
      // The first call waited for its timeout and was retried elsewhere; later ones never went there
      // (the probes, every 1-4 s, keep finding it silent).
      expect(slow).toHaveLength(1);
      expect(slow[0]).toBeLessThan(1_000);
      expect(balancer.liveInstances()).toEqual([a.key, b.key]);
      expect(balancer.answered()[`127.0.0.1:${hungPort}`]).toBe(0);
    } finally {
      await balancer.close();
      await hung.close();
    }
  });

  it('retry rule: a non-idempotent call is retried only if it never left; after a timeout it fails, never sent twice', async () => {
    const hung = await hungServer(hungPort);
    const viaHung = balancerOf([hungPort, a.rpcPort], 300);
    const viaDead = balancerOf([unusedPort, b.rpcPort], 300);
    try {
      const madeOnA = ordersMade.get(a.rpcPort) ?? 0;
      const err = await viaHung.bank.createPayOrder(payOrder).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BizException);
      expect((err as BizException).code).toBe(100503);
      expect((err as BizException).message).toMatch(/timed out after 300 ms/);
      expect(ordersMade.get(a.rpcPort) ?? 0).toBe(madeOnA); // not sent again to the other instance
      expect(hung.bytes()).toBeGreaterThan(0); // it did reach the hung one
      // Connection refused: nothing was sent, so the same call goes to the next instance.
      const madeOnB = ordersMade.get(b.rpcPort) ?? 0;
      await expect(viaDead.bank.createPayOrder(payOrder)).resolves.toHaveProperty('orderId');
      expect(ordersMade.get(b.rpcPort)).toBe(madeOnB + 1);
      expect(viaDead.balancer.liveInstances()).toEqual([`127.0.0.1:${b.rpcPort}`]);
    } finally {
      await viaHung.balancer.close();
      await viaDead.balancer.close();
      await hung.close();
    }
  });

  it('every instance down: SERVICE_UNAVAILABLE at once', async () => {
    const { bank: none, balancer } = balancerOf([unusedPort, ports[6]], 2_000);
    try {
      const started = Date.now();
      const err = await none.balance(1).catch((e: unknown) => e);
      expect((err as BizException).code).toBe(100503);
      expect((err as BizException).message).toMatch(/ECONNREFUSED.*live: none/);
      expect(Date.now() - started).toBeLessThan(500);
    } finally {
      await balancer.close();
    }
  });
});
