import { BankRpcContract, GiftRpcContract, ImCoreRpcContract, ImRouterRpcContract } from './contract';
import { BankRpc, GiftRpc, ImCoreRpc, ImRouterRpc } from './patterns';

describe('RPC contract', () => {
  const services = [
    ['bank', BankRpc, BankRpcContract],
    ['gift', GiftRpc, GiftRpcContract],
    ['im-router', ImRouterRpc, ImRouterRpcContract],
    ['im-core', ImCoreRpc, ImCoreRpcContract],
  ] as const;

  it.each(services)(
    '%s: every pattern, and only those, maps to a request class and a response class',
    (_service, patterns, contract) => {
      expect(Object.keys(contract).sort()).toEqual((Object.values(patterns) as string[]).sort());
      for (const endpoint of Object.values(contract) as { request: unknown; response: unknown }[]) {
        expect(typeof endpoint.request).toBe('function');
        expect(typeof endpoint.response).toBe('function');
      }
    },
  );

  it('maps the batch settlement to its classes', () => {
    expect(BankRpcContract[BankRpc.BATCH_CONSUME_FOR_SEND_GIFT].request.name).toBe('BatchConsumeForSendGiftRequest');
    expect(BankRpcContract[BankRpc.BATCH_CONSUME_FOR_SEND_GIFT].response.name).toBe('BatchConsumeForSendGiftResponse');
  });
});
