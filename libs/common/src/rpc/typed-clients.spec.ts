import { Module } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsInt } from 'class-validator';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { BANK_SERVICE, BankRpc, GiftRpc, ImBizCode, ImRouterRpc } from '@live/contracts';
import { BankErrorCode, BizException } from '../errors';
import { BANK_SERVICE_CLIENT, IM_ROUTER_CLIENT } from './rpc-clients';
import { RpcBalancer } from './rpc-balancer';
import { RpcClientsModule, rpcTimeout } from './rpc-clients.module';
import { BankClient, ImCoreClient, ImRouterClient, RPC_RETRY_AFTER_SEND } from './typed-clients';

/** A ClientProxy stub: records what was sent, answers with `answer`. */
function transport(answer: () => Observable<unknown>): { proxy: ClientProxy; sent: unknown[] } {
  const sent: unknown[] = [];
  const proxy = {
    send: (pattern: unknown, data: unknown) => {
      sent.push([pattern, data]);
      return answer();
    },
    close: () => undefined,
  } as unknown as ClientProxy;
  return { proxy, sent };
}

describe('typed RPC clients', () => {
  it('BankClient.settleBatch sends its own pattern with { items } and returns the typed answer', async () => {
    const { proxy, sent } = transport(() => of({ results: [{ requestId: 'r1', status: 'charged', replayed: false }] }));
    const signed = { giftName: 'Rose', effectUrl: '', type: 0, sendTime: 1, sigKeyId: 'k1', sig: 'x'.repeat(43) };
    const items = [{ requestId: 'r1', senderId: 1, receiverId: 2, roomId: 3, giftId: 4, price: 5, signed }];
    const { results } = await new BankClient(proxy, 1_000).settleBatch(items);
    expect(results[0].status).toBe('charged');
    expect(sent).toEqual([[{ cmd: 'bank.gift.batch-consume' }, { items }]]);
  });

  it('each method names its pattern: the caller never does', async () => {
    const { proxy, sent } = transport(() => of({ userIds: [] }));
    await new ImRouterClient(proxy, 1_000).roomMembers(7);
    await new ImCoreClient(proxy, 1_000).roomMembers(7);
    await new ImCoreClient(proxy, 1_000).pushToRooms([]);
    await new BankClient(proxy, 1_000).balance(9);
    expect(sent.map((s) => (s as [{ cmd: string }])[0].cmd)).toEqual([
      'im-router.room.members',
      'im-core.room.members',
      'im-core.msg.push-rooms',
      'bank.account.balance',
    ]);
    expect(sent.map((s) => (s as unknown[])[1])).toEqual([
      { roomId: 7 },
      { roomId: 7 },
      { messages: [] },
      { userId: 9 },
    ]);
  });

  it('ImRouterClient.sendToRoom is a SEND_TO_ROOMS of one, answered by its one result', async () => {
    const { proxy, sent } = transport(() => of({ results: [{ msgId: 'm1', pushed: 2, offline: [] }] }));
    const effect = {
      requestId: 'm1',
      giftId: 1,
      giftName: 'Rose',
      svgaUrl: '',
      senderId: 2,
      receiverId: 3,
      roomId: 5,
      combo: 1,
      count: 1,
    };
    const message = { msgId: 'm1', roomId: 5, bizCode: ImBizCode.GIFT_SUCCESS as const, data: effect };
    await expect(new ImRouterClient(proxy, 1_000).sendToRoom(message)).resolves.toEqual({
      msgId: 'm1',
      pushed: 2,
      offline: [],
    });
    expect(sent).toEqual([[{ cmd: 'im-router.msg.rooms' }, { messages: [message] }]]);
  });

  it('ImRouterClient gives a message without a msgId one, so a retried push carries the same (deduplicated by msgId)', async () => {
    const { proxy, sent } = transport(() => of({ msgId: 'x', pushed: 0, offline: [], results: [] }));
    const router = new ImRouterClient(proxy, 1_000);
    await router.sendToUser({ userId: 1, bizCode: ImBizCode.GIFT_FAIL, data: { reason: 'r' } } as never);
    await router.sendToRooms([
      { roomId: 1, bizCode: ImBizCode.GIFT_SUCCESS, data: {} } as never,
      { msgId: 'mine', roomId: 2, bizCode: ImBizCode.GIFT_SUCCESS, data: {} } as never,
    ]);
    const [[, one], [, rooms]] = sent as [unknown, { msgId: string; messages: { msgId: string }[] }][];
    expect(one.msgId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rooms.messages.map((m) => m.msgId)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), 'mine']);
    expect(RPC_RETRY_AFTER_SEND.has(ImRouterRpc.SEND_TO_ROOMS)).toBe(true);
    expect(RPC_RETRY_AFTER_SEND.has(BankRpc.CREATE_PAY_ORDER)).toBe(false);
    expect(RPC_RETRY_AFTER_SEND.has(GiftRpc.INSERT)).toBe(false);
  });

  it("the timeout is the client's: a silent peer becomes SERVICE_UNAVAILABLE after it, naming the pattern", async () => {
    const { proxy } = transport(() => NEVER);
    const err = await new BankClient(proxy, 25).settleBatch([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BizException);
    expect((err as BizException).code).toBe(100503);
    expect((err as BizException).message).toBe('bank.gift.batch-consume: timed out after 25 ms');
  });

  it('a remote BizException comes back as the same BizException', async () => {
    const { proxy } = transport(() =>
      throwError(() => new BizException(BankErrorCode.INSUFFICIENT_BALANCE).toPayload()),
    );
    const err = await new BankClient(proxy, 1_000).balance(1).catch((e: unknown) => e);
    expect((err as BizException).code).toBe(12001);
  });
});

class CallerEnv {
  @IsInt()
  CALLER_RPC_TIMEOUT_MS: number = 1_234;
}

describe('RpcClientsModule', () => {
  it("provides the typed clients with the caller's timeout and exports only them (the transports stay inside)", async () => {
    const clients = RpcClientsModule.register(
      'unit-test',
      [BANK_SERVICE_CLIENT, IM_ROUTER_CLIENT],
      rpcTimeout(CallerEnv, (e) => e.CALLER_RPC_TIMEOUT_MS),
    );
    expect(clients.exports).toEqual([BankClient, ImRouterClient]);
    @Module({ imports: [clients] })
    class CallerModule {}
    const moduleRef = await Test.createTestingModule({ imports: [CallerModule] }).compile();
    try {
      expect(moduleRef.get(BankClient, { strict: false }).timeoutMs).toBe(1_234);
      expect(moduleRef.get(ImRouterClient, { strict: false })).toBeInstanceOf(ImRouterClient);
      expect(moduleRef.get(BANK_SERVICE, { strict: false })).toBeInstanceOf(RpcBalancer);
    } finally {
      await moduleRef.close();
    }
  });
});
