import { isIP } from 'node:net';

/**
 * The client's address as a limit key (rate limits, login guesses, im-core's connects, every listener's connections
 * per address): an IPv4 address as it is (also inside an IPv4-mapped `::ffff:a.b.c.d`); an IPv6 one as its /64
 * network (one subscriber gets a whole /64: counting its addresses one by one would give an attacker 2^64 budgets);
 * anything else one shared `invalid` (behind a trusted proxy request.ip comes from X-Forwarded-For, which
 * may hold anything).
 */
export function clientAddress(ip: string | undefined): string {
  if (ip === undefined) return 'invalid';
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return 'invalid';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The 8 groups of an IPv6 address, expanded (`::` filled with zeros, an embedded IPv4 tail as two groups). */
function ipv6Groups(ip: string): string[] {
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const text = v4
    ? ip.slice(0, v4.index) + [(+v4[1] << 8) | +v4[2], (+v4[3] << 8) | +v4[4]].map((n) => n.toString(16)).join(':')
    : ip;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16).toString(16));
}
