import { BankRpc, GiftRpc, ImCoreRpc, ImRouterRpc } from './patterns';

describe('RPC patterns', () => {
  const groups = { bank: BankRpc, gift: GiftRpc, 'im-router': ImRouterRpc, 'im-core': ImCoreRpc };

  it('are unique across services', () => {
    const all = Object.values(groups).flatMap((g) => Object.values(g) as string[]);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(Object.entries(groups))('%s patterns start with the service name', (service, group) => {
    for (const pattern of Object.values(group) as string[]) expect(pattern.startsWith(`${service}.`)).toBe(true);
  });
});
