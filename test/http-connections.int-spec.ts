import { boundConnections } from '@live/common';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { waitFor } from './support/wait-for';

/**
 * The connection bounds every app's listener gets (runApp: HttpServerEnv), on a plain node:http server with raw
 * TCP clients: an address holds at most N connections (the next is closed at once, others keep theirs), and a
 * connection that sends nothing, or trickles its headers, is closed after the idle timeout.
 */
describe('HTTP connection bounds (boundConnections)', () => {
  let server: Server;
  let port: number;
  const clients: Socket[] = [];

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{"code":200}'));
    boundConnections(server, { maxPerAddress: 5, idleTimeoutMs: 1_000 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await new Promise((r) => server.close(r));
  });

  /** A raw connection, open once connected; `closed` says when the server dropped it. */
  async function open(): Promise<{ socket: Socket; closed: () => boolean }> {
    const socket = connect(port, '127.0.0.1');
    clients.push(socket);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    return { socket, closed: () => closed };
  }

  it('one address holds at most 5 connections: the 6th is closed, the 5 stay open; a closed one makes room', async () => {
    const five = await Promise.all(Array.from({ length: 5 }, open));
    const sixth = await open();
    await waitFor('the 6th closed by the server', sixth.closed, 5_000);
    expect(five.map((c) => c.closed())).toEqual([false, false, false, false, false]);
    five[0].socket.destroy();
    await waitFor('the first gone', five[0].closed, 5_000);
    await new Promise((r) => setTimeout(r, 50)); // the server's side of the close
    const again = await open();
    again.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let answer = '';
    again.socket.on('data', (d: Buffer) => (answer += d.toString()));
    await waitFor('an answer on the new one', () => answer.includes('{"code":200}'), 5_000);
    for (const c of [...five, again]) c.socket.destroy();
  });

  it('a connection that sends nothing, or trickles its headers, is closed after the idle timeout', async () => {
    const silent = await open();
    const trickling = await open();
    trickling.socket.write('GET / HTTP/1.1\r\n');
    const trickle = setInterval(() => trickling.socket.write('X: y\r\n'), 200);
    try {
      await waitFor('both closed by the server', () => silent.closed() && trickling.closed(), 10_000);
    } finally {
      clearInterval(trickle);
    }
  });

  it('a request asking for an upgrade, on a server that takes none, is answered as a request; a client resetting it ends nothing (it was abandoned unanswered, and the reset ended the process)', async () => {
    const upgrade = 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    const asker = await open();
    let answer = '';
    asker.socket.on('data', (d: Buffer) => (answer += d.toString()));
    asker.socket.write(upgrade);
    await waitFor('an answer', () => answer.includes('{"code":200}'), 5_000);
    asker.socket.destroy();
    for (let i = 0; i < 5; i++) {
      const resetter = await open();
      resetter.socket.write(upgrade);
      await new Promise((r) => setTimeout(r, 20));
      resetter.socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    const after = await open();
    let again = '';
    after.socket.on('data', (d: Buffer) => (again += d.toString()));
    after.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the server still answering', () => again.includes('{"code":200}'), 5_000);
    after.socket.destroy();
  });
});
