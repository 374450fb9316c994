import { ClientProxy } from '@nestjs/microservices';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { BankErrorCode, BizException } from '../errors';
import { RPC_PING_PATTERN } from './rpc-auth-socket';
import { RpcBalancer } from './rpc-balancer';

type Behaviour = 'ok' | 'refused' | 'dropped' | 'silent' | 'biz' | 'no-connect';

/** A stand-in for one instance's signed client: what it does is switched per test. */
class FakeInstance {
  behaviour: Behaviour = 'ok';
  readonly sent: string[] = [];
  closed = 0;

  constructor(readonly key: string) {}

  proxy(): ClientProxy {
    return {
      connect: (): Promise<void> => {
        if (this.behaviour === 'refused')
          return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${this.key}`), { code: 'ECONNREFUSED' }));
        return this.behaviour === 'no-connect' ? new Promise(() => undefined) : Promise.resolve();
      },
      send: (pattern: { cmd: string }): Observable<unknown> => {
        this.sent.push(pattern.cmd);
        if (this.behaviour === 'dropped') return throwError(() => new Error('Connection closed'));
        if (this.behaviour === 'silent') return NEVER;
        if (this.behaviour === 'biz')
          return throwError(() => new BizException(BankErrorCode.INSUFFICIENT_BALANCE).toPayload());
        return of({ from: this.key });
      },
      close: () => {
        this.closed += 1;
      },
    } as unknown as ClientProxy;
  }
}

function balancerOver(...keys: string[]): { balancer: RpcBalancer; at: FakeInstance[] } {
  const at = keys.map((k) => new FakeInstance(k));
  return {
    at,
    balancer: new RpcBalancer(
      'bank-service',
      at.map((i) => ({ key: i.key, proxy: i.proxy() })),
    ),
  };
}

const call = (b: RpcBalancer, retryAfterSend = true, ms = 50): Promise<{ from: string }> =>
  b.call<{ from: string }>('bank.account.balance', { userId: 1 }, ms, retryAfterSend);

describe('RpcBalancer (health-aware round robin)', () => {
  afterEach(() => jest.useRealTimers());

  it('rotates over the live instances and counts what each answered', async () => {
    const { balancer } = balancerOver('a:1', 'b:2', 'c:3');
    const from = [];
    for (let i = 0; i < 6; i += 1) from.push((await call(balancer)).from);
    expect(from).toEqual(['a:1', 'b:2', 'c:3', 'a:1', 'b:2', 'c:3']);
    expect(balancer.answered()).toEqual({ 'a:1': 2, 'b:2': 2, 'c:3': 2 });
    await balancer.close();
  });

  it('connection refused: nothing left, so even a non-idempotent call goes to the next instance; the refused one is skipped', async () => {
    const { balancer, at } = balancerOver('a:1', 'b:2');
    at[0].behaviour = 'refused';
    await expect(call(balancer, false)).resolves.toEqual({ from: 'b:2' });
    await expect(call(balancer, false)).resolves.toEqual({ from: 'b:2' });
    expect(at[0].sent).toEqual([]);
    expect(balancer.liveInstances()).toEqual(['b:2']);
    await balancer.close();
  });

  it('no connection within the connect timeout: the same (the request never left)', async () => {
    const { balancer, at } = balancerOver('a:1', 'b:2');
    at[0].behaviour = 'no-connect';
    await expect(call(balancer, false)).resolves.toEqual({ from: 'b:2' });
    expect(at[0].closed).toBe(1); // dialled afresh next time
    await balancer.close();
  });

  it.each<[Behaviour, RegExp]>([
    ['dropped', /Connection closed/],
    ['silent', /timed out after 50 ms/],
  ])(
    'a call that may have reached the instance (%s) is retried elsewhere only when idempotent',
    async (behaviour, why) => {
      const { balancer, at } = balancerOver('a:1', 'b:2');
      at[0].behaviour = behaviour;
      const err = (await call(balancer, false).catch((e: unknown) => e)) as BizException;
      expect([err.code, at[1].sent]).toEqual([100503, []]);
      expect(err.message).toMatch(why);
      expect(balancer.liveInstances()).toEqual(['b:2']); // out of the rotation after one failure

      const again = balancerOver('a:1', 'b:2');
      again.at[0].behaviour = behaviour;
      await expect(call(again.balancer, true)).resolves.toEqual({ from: 'b:2' });
      await balancer.close();
      await again.balancer.close();
    },
  );

  it('a remote BizException is an answer: not retried, the instance stays in the rotation', async () => {
    const { balancer, at } = balancerOver('a:1', 'b:2');
    at[0].behaviour = 'biz';
    const err = (await call(balancer).catch((e: unknown) => e)) as BizException;
    expect(err.code).toBe(12001);
    expect(at[1].sent).toEqual([]);
    expect(balancer.liveInstances()).toEqual(['a:1', 'b:2']);
    await balancer.close();
  });

  it('every instance down: tried anyway, in turn (a restarted one is used at once), else SERVICE_UNAVAILABLE', async () => {
    const { balancer, at } = balancerOver('a:1', 'b:2');
    at[0].behaviour = 'refused';
    at[1].behaviour = 'refused';
    const err = (await call(balancer).catch((e: unknown) => e)) as BizException;
    expect(err.code).toBe(100503);
    expect(err.message).toMatch(/live: none/);
    at[1].behaviour = 'ok';
    await expect(call(balancer)).resolves.toEqual({ from: 'b:2' });
    expect(balancer.liveInstances()).toEqual(['b:2']);
    await balancer.close();
  });

  it('a down instance is probed with a signed ping after 1 s, then 2 s, then every 4 s, and returns when it answers', async () => {
    jest.useFakeTimers();
    const { balancer, at } = balancerOver('a:1', 'b:2');
    at[0].behaviour = 'refused';
    await call(balancer);
    const probesBy = async (ms: number): Promise<number> => {
      await jest.advanceTimersByTimeAsync(ms);
      return at[0].closed; // each failed probe resets the connection once
    };
    const before = at[0].closed;
    expect(await probesBy(999)).toBe(before);
    expect(await probesBy(1)).toBe(before + 1); // 1 s
    expect(await probesBy(2_000)).toBe(before + 2); // +2 s
    expect(await probesBy(4_000)).toBe(before + 3); // +4 s
    expect(await probesBy(4_000)).toBe(before + 4); // +4 s
    at[0].behaviour = 'ok';
    await jest.advanceTimersByTimeAsync(4_000);
    expect(at[0].sent).toEqual([RPC_PING_PATTERN]);
    expect(balancer.liveInstances()).toEqual(['a:1', 'b:2']);
    await balancer.close();
  });
});
