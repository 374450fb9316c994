import { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import { SocketState } from './socket-state';
import { MIN_WAIT_BEFORE_EVICTION_MS, SocketsBeforeLogin } from './sockets-before-login';

describe('SocketsBeforeLogin: the node-wide bound on sockets not logged in yet', () => {
  const logger = new Logger('spec');
  beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  let evicted: string[];
  const socket = (name: string, openedAt: number, loginInFlight = false) =>
    [{ name } as unknown as WebSocket, { address: name, openedAt, loginInFlight } as SocketState] as const;
  const nameOf = (ws: WebSocket) => (ws as unknown as { name: string }).name;
  const bound = (max: number) => new SocketsBeforeLogin(max, logger, (ws) => evicted.push(nameOf(ws)));

  beforeEach(() => (evicted = []));

  it('admits below the bound and closes nothing', () => {
    const waiting = bound(2);
    expect(waiting.makeRoom(0)).toBe(true);
    waiting.add(...socket('a', 0));
    expect(waiting.makeRoom(0)).toBe(true);
    waiting.add(...socket('b', 0));
    expect([waiting.size, evicted]).toEqual([2, []]);
  });

  it('at the bound, closes the oldest that has had a second to log in, and only one per newcomer', () => {
    const waiting = bound(3);
    waiting.add(...socket('a', 0));
    waiting.add(...socket('b', 10));
    waiting.add(...socket('c', 20));
    expect(waiting.makeRoom(MIN_WAIT_BEFORE_EVICTION_MS + 15)).toBe(true);
    expect([evicted, waiting.size]).toEqual([['a'], 2]);
  });

  it('refuses the newcomer when every waiting socket is younger than a second: a burst of genuine logins is not cut off', () => {
    const waiting = bound(2);
    waiting.add(...socket('a', 1_000));
    waiting.add(...socket('b', 1_500));
    expect(waiting.makeRoom(1_000 + MIN_WAIT_BEFORE_EVICTION_MS - 1)).toBe(false);
    expect([evicted, waiting.size]).toEqual([[], 2]);
  });

  it('passes over a socket whose login is in flight (its token is being checked) for the next oldest', () => {
    const waiting = bound(2);
    waiting.add(...socket('a', 0, true));
    waiting.add(...socket('b', 5));
    expect(waiting.makeRoom(5_000)).toBe(true);
    expect(evicted).toEqual(['b']);
    expect(waiting.makeRoom(5_000)).toBe(true); // one left (a, logging in): below the bound again
  });

  it('a socket that logged in or closed no longer counts', () => {
    const waiting = bound(1);
    const [ws, state] = socket('a', 0);
    waiting.add(ws, state);
    waiting.remove(ws);
    expect([waiting.makeRoom(0), waiting.size, evicted]).toEqual([true, 0, []]);
  });
});
