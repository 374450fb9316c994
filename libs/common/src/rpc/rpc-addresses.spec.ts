import { ConfigValidationError, validateEnv } from '../config';
import { parseRpcAddresses, rpcAddressKey, rpcAddresses, RPC_MAX_ADDRESSES } from './rpc-addresses';
import { BANK_SERVICE_CLIENT, BankClientEnv, GIFT_SERVICE_CLIENT, IM_ROUTER_CLIENT } from './rpc-clients';

describe('RPC address lists (BANK_RPC_ADDRESSES, GIFT_RPC_ADDRESSES, IM_ROUTER_RPC_ADDRESSES)', () => {
  it('parses host:port entries, spaces around commas allowed, names and IPv4 and bracketed IPv6', () => {
    expect(parseRpcAddresses('127.0.0.1:9102, bank-2.internal:9102 ,[::1]:19102')).toEqual([
      { host: '127.0.0.1', port: 9102 },
      { host: 'bank-2.internal', port: 9102 },
      { host: '::1', port: 19102 },
    ]);
    expect(rpcAddressKey({ host: '::1', port: 19102 })).toBe('[::1]:19102');
    expect(rpcAddressKey({ host: '10.0.0.7', port: 9102 })).toBe('10.0.0.7:9102');
  });

  it.each([
    ['', /"" is not host:port/],
    ['127.0.0.1', /is not host:port/],
    ['127.0.0.1:', /is not host:port/],
    ['127.0.0.1:0', /is not host:port/],
    ['127.0.0.1:65536', /is not host:port/],
    ['127.0.0.1:91o2', /is not host:port/],
    ['a:1,,b:2', /"" is not host:port/],
    ['a:1,b:2,', /"" is not host:port/],
    ['::1:9102', /is not host:port/],
    ['tcp://a:1', /is not host:port/],
    ['a b:1', /is not host:port/],
    ['a:1,A:1', /"A:1" appears twice/],
    ['a:1,a:01', /appears twice/],
  ])('refuses %j', (list, why) => {
    expect(() => parseRpcAddresses(list)).toThrow(why);
  });

  it(`refuses more than ${RPC_MAX_ADDRESSES} instances`, () => {
    const many = Array.from({ length: RPC_MAX_ADDRESSES + 1 }, (_, i) => `10.0.0.1:${9000 + i}`).join(',');
    expect(() => parseRpcAddresses(many)).toThrow(/more than 64/);
  });

  it('without a list: the single *_RPC_HOST:*_RPC_PORT, as before the lists', () => {
    expect(rpcAddresses(undefined, 'bank', 9102)).toEqual([{ host: 'bank', port: 9102 }]);
    expect(rpcAddresses('  ', 'bank', 9102)).toEqual([{ host: 'bank', port: 9102 }]);
    expect(rpcAddresses('b1:1,b2:2', 'bank', 9102)).toEqual([
      { host: 'b1', port: 1 },
      { host: 'b2', port: 2 },
    ]);
  });

  it('a bad list stops the app at start-up, naming the variable and the entry', () => {
    const check = (source: Record<string, string>) => () => validateEnv(BankClientEnv, source);
    expect(check({ BANK_RPC_ADDRESSES: '127.0.0.1:9102,127.0.0.1' })).toThrow(ConfigValidationError);
    expect(check({ BANK_RPC_ADDRESSES: '127.0.0.1:9102,127.0.0.1' })).toThrow(
      /BANK_RPC_ADDRESSES must be a comma-separated list of host:port: "127.0.0.1" is not host:port/,
    );
    expect(validateEnv(BankClientEnv, { BANK_RPC_ADDRESSES: 'a:1,b:2' }).BANK_RPC_ADDRESSES).toBe('a:1,b:2');
  });

  it('each client spec reads its own list, or falls back to its host and port', () => {
    const saved = { ...process.env };
    try {
      process.env.BANK_RPC_ADDRESSES = '10.0.0.1:9102,10.0.0.2:9102';
      process.env.GIFT_RPC_HOST = 'gift.internal';
      process.env.GIFT_RPC_PORT = '19101';
      delete process.env.GIFT_RPC_ADDRESSES;
      process.env.IM_ROUTER_RPC_ADDRESSES = 'r1:9103';
      expect(BANK_SERVICE_CLIENT.resolve()).toEqual([
        { host: '10.0.0.1', port: 9102 },
        { host: '10.0.0.2', port: 9102 },
      ]);
      expect(GIFT_SERVICE_CLIENT.resolve()).toEqual([{ host: 'gift.internal', port: 19101 }]);
      expect(IM_ROUTER_CLIENT.resolve()).toEqual([{ host: 'r1', port: 9103 }]);
      expect([BANK_SERVICE_CLIENT, GIFT_SERVICE_CLIENT, IM_ROUTER_CLIENT].map((s) => s.service)).toEqual([
        'bank-service',
        'gift-service',
        'im-router',
      ]);
    } finally {
      process.env = saved;
    }
  });
});
