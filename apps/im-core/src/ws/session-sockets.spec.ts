import type { RedisClient } from '@live/redis';
import type WebSocket from 'ws';
import { SessionSockets } from './session-sockets';

/** The bookkeeping of SessionSockets, without Redis: which logout closes which socket, and its bounds. */
describe('SessionSockets', () => {
  const fakeSocket = () =>
    ({ close: jest.fn(), terminate: jest.fn(), readyState: 3, CLOSED: 3 }) as unknown as WebSocket;
  const heard = (sockets: SessionSockets, sessionId: string) =>
    (sockets as unknown as { hear(id: string): void }).hear(sessionId);

  it('a socket that used tokens of two sessions (a room switch) is closed by the logout of either', () => {
    for (const loggedOut of ['A', 'B']) {
      const sockets = new SessionSockets({} as RedisClient, 'unit');
      const ws = fakeSocket();
      const other = fakeSocket();
      sockets.bind(ws, 'A');
      sockets.bind(ws, 'B');
      sockets.bind(ws, null); // a token of before session binding adds nothing and keeps the rest
      sockets.bind(other, 'C');
      heard(sockets, loggedOut);
      expect(ws.close).toHaveBeenCalledWith(4401, 'logged out');
      expect(other.close).not.toHaveBeenCalled();
      expect(sockets.size).toBe(1); // the closed socket released from both sessions
    }
  });

  it('a login bound just after its session logout was heard is closed at once', () => {
    const sockets = new SessionSockets({} as RedisClient, 'unit');
    heard(sockets, 'gone');
    const ws = fakeSocket();
    sockets.bind(ws, 'gone');
    expect(ws.close).toHaveBeenCalledWith(4401, 'logged out');
    expect(sockets.size).toBe(0);
  });

  it('remembers at most 10,000 heard logouts (the oldest go first)', () => {
    const sockets = new SessionSockets({} as RedisClient, 'unit');
    for (let i = 0; i < 25_000; i++) heard(sockets, `s${i}`);
    const remembered = (sockets as unknown as { heard: Map<string, number> }).heard;
    expect(remembered.size).toBe(10_000);
    expect(remembered.has('s24999') && !remembered.has('s0')).toBe(true);
  });
});
