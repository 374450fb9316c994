import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { boundConnections } from './http-connections';

/** A socket as the 'connection' listener sees it: its address, destroy(), and a 'close' to come. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/**
 * The per-address bound keys on the client's address as the rate limits do (clientAddress): an IPv6 client by its
 * /64 (one subscriber holds the whole block: 2^64 addresses were 2^64 budgets), an IPv4-mapped address
 * (`::ffff:1.2.3.4`, what a dual-stack listener sees of an IPv4 client) as its IPv4 address.
 */
describe('boundConnections: one count per client address', () => {
  let server: EventEmitter;
  const connect = (address: string): FakeSocket => {
    const socket = new FakeSocket(address);
    server.emit('connection', socket as unknown as Socket);
    return socket;
  };

  beforeEach(() => {
    jest.useFakeTimers();
    server = new EventEmitter();
    boundConnections(server as unknown as Server, { maxPerAddress: 2, idleTimeoutMs: 1_000 });
  });

  afterEach(() => jest.useRealTimers());

  it('IPv6 addresses of one /64 share a count; another /64 has its own', () => {
    const held = [connect('2001:db8:1:2::1'), connect('2001:db8:1:2:aaaa:bbbb:cccc:dddd')];
    expect(held.map((s) => s.destroyed)).toEqual([false, false]);
    expect(connect('2001:0db8:0001:0002::ffff').destroyed).toBe(true);
    expect(connect('2001:db8:1:3::1').destroyed).toBe(false);
    held[0].emit('close');
    expect(connect('2001:db8:1:2::42').destroyed).toBe(false);
  });

  it('an IPv4-mapped address counts as its IPv4 address', () => {
    expect(connect('203.0.113.7').destroyed).toBe(false);
    expect(connect('::ffff:203.0.113.7').destroyed).toBe(false);
    expect(connect('::FFFF:203.0.113.7').destroyed).toBe(true);
    expect(connect('203.0.113.7').destroyed).toBe(true);
    expect(connect('203.0.113.8').destroyed).toBe(false);
  });
});
