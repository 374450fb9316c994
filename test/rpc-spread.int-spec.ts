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
  RPC_PING_PATTERN,
  rpcTimeout,
  startApp,
} from '@live/common';
import { BankRpc, CreatePayOrderRequest, GetBalanceRequest, PaySource, signBankOrder } from '@live/contracts';
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

/**
 * Accepts TCP connections and never answers (a hung process whose kernel still accepts). `requests(cmd)`:
 * the requests of that pattern it received (a frame's JSON is in clear text, only signed), probes included.
 */
async function hungServer(
  port: number,
): Promise<{ bytes: () => number; requests: (cmd: string) => number; close: () => Promise<void> }> {
  let received = '';
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.setEncoding('utf8').on('data', (d: string) => (received += d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return {
    bytes: () => Buffer.byteLength(received),
    requests: (cmd) => received.split(`"pattern":{"cmd":"${cmd}"}`).length - 1,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// The stand-in bank-service does not check it; a real one carries out only the gateway's signature.
const payOrder = signBankOrder(
  BankRpc.CREATE_PAY_ORDER,
  { userId: 1, productId: 1, paySource: PaySource.LIVING_ROOM, payChannel: 0 },
  { id: 'spread', secret: 'a-key-the-stand-in-never-checks-0123456789' },
);

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

/** Issue 17: callers spread their RPC over every live instance of a service and skip a dead or hung one. */
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

  it('(b, c) one instance killed: calls keep succeeding, only those in flight when it died may fail; once out of the rotation every call goes to the live one; restarted, it is back', async () => {
    const balancer = caller.get<RpcBalancer>(BANK_SERVICE_CLIENT.token, { strict: false });
    // Each call is tagged with the phase it started in, so what is asserted does not depend on the
    // machine's speed: 'killed' from the kill on, 'out' once the balancer has taken the dead one out.
    type Phase = 'before' | 'killed' | 'out' | 'restarting';
    let phase: Phase = 'before';
    const outcomes: { phase: Phase; idempotent: boolean; by: number | null }[] = [];
    let stop = false;
    const load = async (idempotent: boolean): Promise<void> => {
      while (!stop) {
        const startedIn = phase;
        // The answer names the instance: a balance is its port, an order id is PO<port>x<n>.
        const call = idempotent
          ? bank.balance(7).then((r) => r.balance)
          : bank.createPayOrder(payOrder).then((r) => Number(/^PO(\d+)x/.exec(r.orderId)![1]));
        const by = await call.then(
          (port) => port,
          (e: unknown) => (e instanceof BizException && e.code === 100503 ? null : Promise.reject(e)),
        );
        outcomes.push({ phase: startedIn, idempotent, by });
        await sleep(2);
      }
    };
    const startedIn = (p: Phase) => outcomes.filter((o) => o.phase === p);
    const workers = [...Array.from({ length: 4 }, () => load(true)), ...Array.from({ length: 4 }, () => load(false))];
    try {
      await waitFor('load on both instances', () =>
        [a.rpcPort, b.rpcPort].every((port) => startedIn('before').filter((o) => o.by === port).length >= 10),
      );
      phase = 'killed';
      await a.kill();
      // The first call that fails on it takes it out of the rotation.
      await waitFor('the dead instance out of the rotation', () => !balancer.liveInstances().includes(a.key));
      phase = 'out';
      await waitFor('200 calls started after it was out', () => startedIn('out').length >= 200);

      const failed = outcomes.filter((o) => o.by === null);
      // Idempotent calls are retried on the live instance: none fails. A call that may have reached the
      // dead one and is not idempotent fails: only those sent to it before it was out (one per worker at most).
      expect(failed.filter((o) => o.idempotent)).toEqual([]);
      expect(failed.length).toBeLessThanOrEqual(4);
      expect(failed.filter((o) => o.phase === 'out')).toEqual([]);
      // Once it is out, every call is answered by the live instance.
      expect(new Set(startedIn('out').map((o) => o.by))).toEqual(new Set([b.rpcPort]));

      phase = 'restarting';
      await a.start();
      const servedAtRestart = await a.served();
      // A probe (1-4 s apart) brings it back; the deadline only keeps a lost instance from hanging the test.
      await waitFor(
        'the restarted instance to serve calls',
        async () => (await a.served()) > servedAtRestart + 20,
        60_000,
      );
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    expect(startedIn('restarting').filter((o) => o.by === null)).toEqual([]);
    expect(startedIn('restarting').filter((o) => o.by === a.rpcPort).length).toBeGreaterThan(20);
  });

  it('(d) a hung instance (accepts TCP, never answers) stops receiving calls after its first timeout', async () => {
    const hung = await hungServer(hungPort);
    const { bank: spread, balancer } = balancerOf([hungPort, a.rpcPort, b.rpcPort], 300);
    try {
      // The first call goes to the hung one (first in turn), waits for its timeout and is retried elsewhere.
      // Calls keep going until the balancer has probed it twice: the first probe found it silent.
      let calls = 0;
      await waitFor('two probes of the hung instance', async () => {
        await expect(spread.balance(1)).resolves.toHaveProperty('balance');
        calls += 1;
        return hung.requests(RPC_PING_PATTERN) >= 2;
      });
      // Of all those calls, only the first one was sent there; every call was answered once, elsewhere.
      expect(hung.requests(BankRpc.GET_BALANCE)).toBe(1);
      expect(balancer.liveInstances()).toEqual([a.key, b.key]);
      const answered = balancer.answered();
      expect(answered[`127.0.0.1:${hungPort}`]).toBe(0);
      expect(answered[a.key] + answered[b.key]).toBe(calls);
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

  it('every instance down: SERVICE_UNAVAILABLE at once (refused, not waited for)', async () => {
    const { bank: none, balancer } = balancerOf([unusedPort, ports[6]], 2_000);
    try {
      const err = await none.balance(1).catch((e: unknown) => e);
      expect((err as BizException).code).toBe(100503);
      // Its reason is the refused connection, not the 2 s timeout: nothing was waited for.
      expect((err as BizException).message).toMatch(/ECONNREFUSED.*live: none/);
      expect((err as BizException).message).not.toMatch(/timed out/);
    } finally {
      await balancer.close();
    }
  });
});
