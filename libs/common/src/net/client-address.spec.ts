import { clientAddress } from './client-address';

describe('clientAddress (the key of per-address limits)', () => {
  it('keeps an IPv4 address, and the IPv4 inside an IPv4-mapped IPv6 one', () => {
    expect(clientAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('groups IPv6 addresses by their /64: one subscriber cannot multiply its budget', () => {
    const a = clientAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002::1')).toBe(a);
    expect(clientAddress('2001:db8:1:2::ffff')).toBe(a);
    expect(clientAddress('2001:db8:1:3::1')).not.toBe(a);
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
    expect(clientAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
  });

  it('anything that is not an address is one shared key', () => {
    for (const bad of [undefined, '', 'not-an-ip', '1.2.3', '2001:db8::g']) expect(clientAddress(bad)).toBe('invalid');
  });
});
