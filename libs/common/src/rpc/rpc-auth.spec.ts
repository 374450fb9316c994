import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { ConfigValidationError } from '../config';
import { ReplayGuard, RPC_MAX_CLOCK_SKEW_MS, RpcAuth } from './rpc-auth';
import {
  RPC_FIRST_FRAME_TIMEOUT_MS,
  RPC_MAX_UNAUTHENTICATED_PER_ADDRESS,
  RPC_MAX_FIRST_REQUEST_CHARS,
  RPC_MAX_UNAUTHENTICATED_CONNECTIONS,
  RPC_MAX_REQUESTS_IN_FLIGHT,
  RPC_MAX_UNSENT_ANSWER_CHARS,
  rpcClientSocketClass,
  RPC_PING_PATTERN,
  RpcServedCounter,
  rpcServerSocketClass,
} from './rpc-auth-socket';

const SECRET = 'unit-test-rpc-secret-0123456789abcdef';
const OTHER = 'another-deployment-secret-0123456789ab';

describe('RpcAuth (the signed envelope)', () => {
  const auth = new RpcAuth('gift-service', SECRET);
  const packet = JSON.stringify({
    pattern: { cmd: 'bank.gift.batch-consume' },
    data: { items: [{ userId: 1, price: 5 }] },
    id: 'p1',
  });

  it('opens what it sealed: the JSON, the caller, the connection and sequence, the time', () => {
    const opened = auth.open('request', auth.seal('request', packet, 'AAAAAAAAAAAAAAAA.7', 1_700_000_000_000));
    expect(opened).toEqual({
      ok: true,
      json: packet,
      caller: 'gift-service',
      connection: 'AAAAAAAAAAAAAAAA',
      seq: 7,
      ts: 1_700_000_000_000,
    });
  });

  it('refuses a plain Nest packet, whatever it says', () => {
    expect(auth.open('request', packet)).toEqual({ ok: false, reason: 'unsigned frame' });
  });

  it.each([
    ['the payload', (s: string) => s.replace('"price":5', '"price":1')],
    ['the pattern', (s: string) => s.replace('batch-consume', 'dev-pay')],
    ['the caller', (s: string) => s.replace('LG1 gift-service', 'LG1 api-gateway')],
    ['the timestamp', (s: string) => s.replace(' 1700000000000 ', ' 1700000000001 ')],
    ['the sequence', (s: string) => s.replace('.7 ', '.8 ')],
  ])('refuses a frame whose %s was changed', (_what, change) => {
    const sealed = auth.seal('request', packet, 'AAAAAAAAAAAAAAAA.7', 1_700_000_000_000);
    const forged = change(sealed);
    expect(forged).not.toBe(sealed);
    expect(auth.open('request', forged)).toMatchObject({ ok: false, reason: 'bad signature' });
  });

  it('refuses a frame signed with another secret, and an answer passed off as a request', () => {
    const stranger = new RpcAuth('gift-service', OTHER);
    expect(auth.open('request', stranger.seal('request', packet, 'AAAAAAAAAAAAAAAA.1'))).toMatchObject({
      ok: false,
      reason: 'bad signature',
    });
    expect(auth.open('request', auth.seal('answer', packet, 'AAAAAAAAAAAAAAAA.1'))).toMatchObject({
      ok: false,
      reason: 'bad signature',
    });
  });

  it('accepts the rotation secret too, and signs with the main one only', () => {
    const rotating = new RpcAuth('bank-service', SECRET, OTHER);
    const oldSigner = new RpcAuth('gift-service', OTHER);
    expect(rotating.open('request', oldSigner.seal('request', packet, 'AAAAAAAAAAAAAAAA.1')).ok).toBe(true);
    expect(auth.open('answer', rotating.seal('answer', packet, '-')).ok).toBe(true);
  });

  it('never throws on garbage (a throw on the data path would end the service)', () => {
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const alphabet = 'LG1 \n.-_#{}":0123456789abcdefAZ\u00e9\ud83d';
    for (let i = 0; i < 5_000; i++) {
      const junk = Array.from({ length: rand(120) }, () => alphabet[rand(alphabet.length)]).join('');
      const opened = auth.open(i % 2 ? 'request' : 'answer', i % 3 ? junk : `LG1 a 1 ${junk}`);
      expect(opened.ok).toBe(false);
    }
  });

  it('fromEnv refuses a missing or short secret, naming the variable', () => {
    const missing = (): RpcAuth => RpcAuth.fromEnv('x', {});
    expect(missing).toThrow(ConfigValidationError);
    expect(missing).toThrow(/RPC_AUTH_SECRET must be set/);
    expect(() => RpcAuth.fromEnv('x', { RPC_AUTH_SECRET: 'short' })).toThrow(
      /RPC_AUTH_SECRET must be at least 32 bytes/,
    );
    expect(() => RpcAuth.fromEnv('x', { RPC_AUTH_SECRET: SECRET, RPC_AUTH_SECRET_ROTATION: 'short' })).toThrow(
      /RPC_AUTH_SECRET_ROTATION/,
    );
    expect(RpcAuth.fromEnv('x', { RPC_AUTH_SECRET: SECRET }).name).toBe('x');
  });
});

describe('ReplayGuard', () => {
  const now = 1_700_000_000_000;

  it('accepts a connection’s sequence only upwards, and refuses a timestamp beyond the skew either way', () => {
    const guard = new ReplayGuard(RPC_MAX_CLOCK_SKEW_MS, 10_000, now - 60_000);
    expect(guard.check('c1', 1, now, now)).toBeNull();
    expect(guard.check('c1', 1, now, now)).toBe('replayed');
    expect(guard.check('c1', 3, now, now)).toBeNull();
    expect(guard.check('c1', 2, now, now)).toBe('replayed');
    expect(guard.check('c2', 1, now, now)).toBeNull();
    expect(guard.check('c3', 1, now - RPC_MAX_CLOCK_SKEW_MS - 1, now)).toMatch(/timestamp/);
    expect(guard.check('c3', 1, now + RPC_MAX_CLOCK_SKEW_MS + 1, now)).toMatch(/timestamp/);
  });

  it('forgets idle connections only when their frames are stale anyway, and stays bounded', () => {
    const guard = new ReplayGuard(1_000, 3, now);
    expect(['a', 'b', 'c'].map((c) => guard.check(c, 1, now, now))).toEqual([null, null, null]);
    expect(guard.check('d', 1, now, now)).toMatch(/more than 3/);
    // A replay of a's frame later is refused by its timestamp, after which a can be forgotten.
    expect(guard.check('a', 1, now, now + 1_500)).toMatch(/timestamp/);
    expect(guard.check('d', 1, now + 2_001, now + 2_001)).toBeNull();
    expect(guard.size).toBe(1);
  });

  it('refuses a frame signed before the listener started, even within the skew (a replay across a restart)', () => {
    const guard = new ReplayGuard(RPC_MAX_CLOCK_SKEW_MS, 10, now);
    expect(guard.check('c1', 1, now - 1_000, now + 1_000)).toBe('timestamp 1000 ms before this listener started');
    expect(guard.check('c1', 1, now, now + 1_000)).toBeNull();
  });
});

/** A stand-in for a net.Socket: what the socket classes use of it. */
class FakeSocket extends EventEmitter {
  written = '';
  destroyed = false;
  remoteAddress = '10.0.0.9';
  remotePort = 41234;
  writableLength = 0;
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  write(data: string, _enc?: string, cb?: () => void): boolean {
    this.written += data;
    cb?.();
    return true;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

describe('the signed socket classes', () => {
  const auth = new RpcAuth('bank-service', SECRET);
  let warnings: string[];
  let logger: Logger;

  beforeEach(() => {
    warnings = [];
    logger = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
  });

  function server(ServerSocket = rpcServerSocketClass(auth, logger)): { raw: FakeSocket; messages: unknown[] } {
    const raw = new FakeSocket();
    const messages: unknown[] = [];
    raw.on('message', (m) => messages.push(m));
    new ServerSocket(raw as unknown as Socket);
    return { raw, messages };
  }

  function clientFrames(...packets: object[]): string {
    const raw = new FakeSocket();
    const ClientSocket = rpcClientSocketClass(new RpcAuth('gift-service', SECRET), logger);
    const client = new ClientSocket(raw as unknown as Socket);
    for (const p of packets) client.sendMessage(p);
    return raw.written;
  }

  it('a client’s frames reach the server’s handlers, even one character at a time', () => {
    const { raw, messages } = server(); // the listener first: a frame signed before it started is refused
    const wire = clientFrames(
      { pattern: 'a', data: { n: 1 }, id: '1' },
      { pattern: 'b', data: { s: 'h\u00e9 #' }, id: '2' },
    );
    for (const ch of Buffer.from(wire, 'utf8')) raw.emit('data', Buffer.from([ch]));
    expect(messages).toEqual([
      { pattern: 'a', data: { n: 1 }, id: '1' },
      { pattern: 'b', data: { s: 'h\u00e9 #' }, id: '2' },
    ]);
    expect(raw.destroyed).toBe(false);
  });

  it.each([
    [
      'a plain Nest frame',
      () => sealedFrame('{"pattern":{"cmd":"bank.account.incr"},"data":{"num":1},"id":"1"}'),
      'unsigned frame',
    ],
    ['no length prefix', () => 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'without a length prefix'],
    ['a huge length', () => '99999999999#{', 'a frame of 99999999999 characters'],
    [
      'signed JSON that is not JSON',
      () => sealedFrame(auth.seal('request', '{not json', 'AAAAAAAAAAAAAAAA.1')),
      'not JSON',
    ],
  ])('refuses %s: nothing reaches a handler, the peer is logged, the connection is closed', (_what, frame, reason) => {
    const { raw, messages } = server();
    const wire = frame();
    raw.emit('data', Buffer.from(wire));
    raw.emit('data', Buffer.from(wire));
    expect(messages).toEqual([]);
    expect(raw.destroyed).toBe(true);
    expect(raw.written).toBe('');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('from 10.0.0.9:41234');
    expect(warnings[0]).toContain(reason);
  });

  it('refuses the same signed frame replayed on another connection', () => {
    const ServerSocket = rpcServerSocketClass(auth, logger);
    const wire = clientFrames({ pattern: 'a', data: {}, id: '1' });
    const first = server(ServerSocket);
    first.raw.emit('data', Buffer.from(wire));
    const replay = server(ServerSocket);
    replay.raw.emit('data', Buffer.from(wire));
    expect([first.messages.length, replay.messages.length, replay.raw.destroyed]).toEqual([1, 0, true]);
    expect(warnings[0]).toContain('replayed (claims to be gift-service)');
  });

  it('closes a connection that sends no signed request in time', () => {
    jest.useFakeTimers();
    try {
      const idle = server();
      const talking = server();
      talking.raw.emit('data', Buffer.from(clientFrames({ pattern: 'a', data: {}, id: '1' })));
      jest.advanceTimersByTime(RPC_FIRST_FRAME_TIMEOUT_MS);
      expect([idle.raw.destroyed, talking.raw.destroyed]).toEqual([true, false]);
      expect(warnings[0]).toContain('no signed request within');
    } finally {
      jest.useRealTimers();
    }
  });

  it('bounds what unauthenticated peers hold: a smaller first frame, and a new waiting connection evicts the oldest', () => {
    const ServerSocket = rpcServerSocketClass(auth, logger);
    const big = `${RPC_MAX_FIRST_REQUEST_CHARS + 1}#`;
    const stranger = server(ServerSocket);
    stranger.raw.emit('data', Buffer.from(big));
    expect(stranger.raw.destroyed).toBe(true);
    const known = server(ServerSocket);
    known.raw.emit('data', Buffer.from(clientFrames({ pattern: 'a', data: {}, id: '1' }) + big));
    expect([known.messages.length, known.raw.destroyed]).toEqual([1, false]);

    // From one address: past its share, its own oldest goes.
    const flood = Array.from({ length: RPC_MAX_UNAUTHENTICATED_PER_ADDRESS + 1 }, () => server(ServerSocket));
    expect(flood.map((w) => w.raw.destroyed)).toEqual([
      true,
      ...Array.from({ length: RPC_MAX_UNAUTHENTICATED_PER_ADDRESS }, () => false),
    ]);
    expect(known.raw.destroyed).toBe(false);
    expect(warnings.at(-1)).toContain(
      `evicted: more than ${RPC_MAX_UNAUTHENTICATED_PER_ADDRESS} connections from 10.0.0.9 waiting`,
    );
  });

  it("a flood of idle connections from many addresses evicts the flooders' own, never a genuine caller's from elsewhere", () => {
    const ServerSocket = rpcServerSocketClass(auth, logger);
    const from = (address: string) => {
      const raw = new FakeSocket();
      raw.remoteAddress = address;
      new ServerSocket(raw as unknown as Socket);
      return raw;
    };
    const caller = from('10.1.0.1'); // connected, its first request not read yet
    const flood: FakeSocket[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (let a = 0; a < 40; a += 1) flood.push(from(`10.9.${round}.${a}`), from(`10.8.0.${a % 4}`));
    }
    expect(caller.destroyed).toBe(false);
    expect(flood.filter((r) => !r.destroyed).length).toBeLessThanOrEqual(RPC_MAX_UNAUTHENTICATED_CONNECTIONS);
    // The addresses with many waiting connections paid: none of them holds more than its share.
    const alive = flood.filter((r) => !r.destroyed).map((r) => r.remoteAddress);
    for (const address of new Set(alive))
      expect(alive.filter((a) => a === address).length).toBeLessThanOrEqual(RPC_MAX_UNAUTHENTICATED_PER_ADDRESS);
  });

  it('answers a signed ping itself (no handler, not counted) and counts the calls its handlers answered', () => {
    const counter = new RpcServedCounter();
    const ServerSocket = rpcServerSocketClass(auth, logger, counter);
    const raw = new FakeSocket();
    const messages: unknown[] = [];
    raw.on('message', (m) => messages.push(m));
    const socket = new ServerSocket(raw as unknown as Socket);
    raw.emit('data', Buffer.from(clientFrames({ pattern: { cmd: RPC_PING_PATTERN }, data: {}, id: 'p1' })));
    expect(messages).toEqual([]);
    expect(raw.written).toMatch(
      /^\d+#LG1 bank-service \d+ - \S{43}\n\{"id":"p1","response":\{"pong":true\},"isDisposed":true\}$/,
    );
    socket.sendMessage({ id: 'c1', response: { n: 1 } }); // an observable's value: not the end of the call
    socket.sendMessage({ id: 'c1', isDisposed: true });
    socket.sendMessage({ id: 'c2', response: { n: 2 }, isDisposed: true });
    socket.sendMessage({ id: 'c3', status: 'error', err: 'There is no matching message handler' });
    expect(counter.served).toBe(2);
  });

  it('stops reading a connection while it has too many calls unanswered or too many answer bytes unsent, and reads again below both', () => {
    const ServerSocket = rpcServerSocketClass(auth, logger);
    const raw = new FakeSocket();
    const messages: { id?: string }[] = [];
    raw.on('message', (m: { id?: string }) => messages.push(m));
    const socket = new ServerSocket(raw as unknown as Socket);
    const calls = Array.from({ length: RPC_MAX_REQUESTS_IN_FLIGHT - 1 }, (_, i) => ({
      pattern: 'a',
      data: {},
      id: `c${i}`,
    }));
    const extra = [{ pattern: { cmd: RPC_PING_PATTERN }, data: {}, id: 'p1' }]; // answered by the listener itself
    raw.emit('data', Buffer.from(clientFrames(...calls, ...extra)));
    expect(raw.paused).toBe(false);
    raw.emit('data', Buffer.from(clientFrames({ pattern: 'a', data: {}, id: 'last' })));
    expect(messages).toHaveLength(RPC_MAX_REQUESTS_IN_FLIGHT); // every call of the chunks read went to Nest
    expect(raw.paused).toBe(true);
    socket.sendMessage({ id: 'c0', response: { n: 1 } }); // a value, not the end of the call
    expect(raw.paused).toBe(true);
    socket.sendMessage({ id: 'c0', isDisposed: true });
    expect(raw.paused).toBe(false);
    socket.sendMessage({ id: 'again', status: 'error', err: 'There is no matching message handler' });
    raw.emit('data', Buffer.from(clientFrames({ pattern: 'nobody', data: {}, id: 'nobody' })));
    expect(raw.paused).toBe(true);
    socket.sendMessage({ id: 'nobody', status: 'error', err: 'There is no matching message handler' }); // answered too
    expect(raw.paused).toBe(false);

    raw.writableLength = RPC_MAX_UNSENT_ANSWER_CHARS; // the caller does not read its answers
    socket.sendMessage({ id: 'c1', response: {}, isDisposed: true });
    expect(raw.paused).toBe(true);
    raw.writableLength = 0;
    raw.emit('drain');
    expect(raw.paused).toBe(false);
    expect(raw.destroyed).toBe(false);
  });

  it.each([
    ['a numeric id', { pattern: 'a', data: {}, id: 7 }, 'a call without a string id of 1-64 characters'],
    ['a null id', { pattern: 'a', data: {}, id: null }, 'a call without a string id of 1-64 characters'],
    ['an id of 65 characters', { pattern: 'a', data: {}, id: 'i'.repeat(65) }, 'a string id of 1-64 characters'],
    ['no id (Nest would run its handler as an event)', { pattern: 'a', data: {} }, 'a call without a string id'],
    [
      'a pattern nested deep (Nest stringifies it outside any handler)',
      { pattern: { cmd: [[['a']]] }, data: {}, id: 'd' },
      'not a string or a flat object',
    ],
    ['an array pattern', { pattern: ['a'], data: {}, id: 'd' }, 'not a string or a flat object'],
    ['an id already in flight', { pattern: 'a', data: {}, id: 'c1' }, 'already in flight on this connection'],
  ])('refuses a call with %s (it would escape the count of calls in flight)', (_what, packet, reason) => {
    const { raw, messages } = server();
    raw.emit('data', Buffer.from(clientFrames({ pattern: 'a', data: {}, id: 'c1' }, packet)));
    expect(messages).toEqual([{ pattern: 'a', data: {}, id: 'c1' }]);
    expect(raw.destroyed).toBe(true);
    expect(warnings.at(-1)).toContain(reason);
  });

  it('a deep pattern closes the connection before Nest stringifies it (5,000 levels ended the process)', () => {
    const { raw, messages } = server();
    const json = `{"pattern":${'['.repeat(5_000)}1${']'.repeat(5_000)},"data":1,"id":"x"}`; // too deep for a client
    raw.emit(
      'data',
      Buffer.from(sealedFrame(new RpcAuth('gift-service', SECRET).seal('request', json, 'AAAAAAAAAAAAAAAA.1'))),
    );
    expect(messages).toEqual([]);
    expect(raw.destroyed).toBe(true);
  });

  it('a client refuses an unsigned answer', () => {
    const raw = new FakeSocket();
    const messages: unknown[] = [];
    raw.on('message', (m) => messages.push(m));
    const ClientSocket = rpcClientSocketClass(auth, logger);
    new ClientSocket(raw as unknown as Socket);
    raw.emit('data', Buffer.from(sealedFrame('{"id":"1","response":{"status":"ok"}}')));
    expect([messages.length, raw.destroyed]).toEqual([0, true]);
    expect(warnings[0]).toContain('refused an RPC answer from 10.0.0.9:41234: unsigned frame');
  });
});

function sealedFrame(content: string): string {
  return `${content.length}#${content}`;
}
