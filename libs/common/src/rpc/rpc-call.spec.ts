import { ClientProxy } from '@nestjs/microservices';
import { NEVER, of, throwError } from 'rxjs';
import { BankErrorCode, BizException } from '../errors';
import { rpcCall } from './rpc-call';

function clientAnswering(answer: () => ReturnType<ClientProxy['send']>): { client: ClientProxy; sent: unknown[] } {
  const sent: unknown[] = [];
  const client = {
    send: (pattern: unknown, data: unknown) => {
      sent.push([pattern, data]);
      return answer();
    },
  } as unknown as ClientProxy;
  return { client, sent };
}

describe('rpcCall', () => {
  it('sends { cmd: pattern } with the data and returns the answer', async () => {
    const { client, sent } = clientAnswering(() => of({ balance: 7 }));
    await expect(rpcCall(client, 'bank.account.balance', { userId: 1 })).resolves.toEqual({ balance: 7 });
    expect(sent).toEqual([[{ cmd: 'bank.account.balance' }, { userId: 1 }]]);
  });

  it('rebuilds the remote BizException', async () => {
    const { client } = clientAnswering(() =>
      throwError(() => new BizException(BankErrorCode.INSUFFICIENT_BALANCE).toPayload()),
    );
    const err = await rpcCall(client, 'p', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BizException);
    expect((err as BizException).code).toBe(12001);
  });

  it('turns a timeout into SERVICE_UNAVAILABLE naming the pattern', async () => {
    const { client } = clientAnswering(() => NEVER);
    const err = await rpcCall(client, 'bank.gift.batch-consume', {}, 20).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BizException);
    expect((err as BizException).code).toBe(100503);
    expect((err as BizException).message).toBe('bank.gift.batch-consume: timed out after 20 ms');
  });

  it('turns a connection error into SERVICE_UNAVAILABLE', async () => {
    const { client } = clientAnswering(() => throwError(() => new Error('connect ECONNREFUSED 127.0.0.1:9102')));
    const err = (await rpcCall(client, 'x', {}).catch((e: unknown) => e)) as BizException;
    expect([err.code, err.httpStatus]).toEqual([100503, 503]);
  });
});
