import { validateEnv } from '@live/common';
import { GatewayEnv, isTrustProxySetting, parseTrustProxy } from './api-gateway.env';

describe('GATEWAY_TRUST_PROXY', () => {
  it('takes false, a hop count, or addresses/CIDRs, as Fastify does', () => {
    expect(parseTrustProxy(validateEnv(GatewayEnv, { ...process.env }).GATEWAY_TRUST_PROXY)).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('refuses true (anyone could pick its address) and anything not an address', () => {
    for (const bad of [
      'true',
      '0',
      '21',
      '10.0.0.0/33',
      '::1/129',
      'example.com',
      '10.0.0.1,',
      '1.2.3',
      '10.0.0.0/8/1',
    ]) {
      expect([bad, isTrustProxySetting(bad)]).toEqual([bad, false]);
    }
    expect(() => validateEnv(GatewayEnv, { ...process.env, GATEWAY_TRUST_PROXY: 'true' })).toThrow(
      /GATEWAY_TRUST_PROXY must be false, a hop count/,
    );
  });
});
