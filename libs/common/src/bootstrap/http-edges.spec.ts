import type { Socket } from 'node:net';
import { clientErrorReply, edgeHeaders } from './http-edges';

/** A socket as Fastify's clientErrorHandler gets it: what is written to it, and destroy(). */
function fakeSocket(): { socket: Socket; written: string[] } {
  const written: string[] = [];
  const socket = {
    destroyed: false,
    writable: true,
    write: (text: string) => written.push(text),
    destroy: () => undefined,
  } as unknown as Socket;
  return { socket, written };
}

const overflow = Object.assign(new Error('header overflow'), { code: 'HPE_HEADER_OVERFLOW' });

describe('edgeHeaders: the headers of the answers Fastify writes itself', () => {
  it("the raw 431 of an instance with edge headers carries them once, after the edge's own; another instance's carries none", () => {
    const gateway = {};
    edgeHeaders(gateway, { 'x-frame-options': 'DENY', 'content-security-policy': "default-src 'self'" });
    const withHeaders = fakeSocket();
    clientErrorReply.call(gateway, overflow, withHeaders.socket);
    const head = withHeaders.written.join('').split('\r\n\r\n')[0].split('\r\n');
    expect(head).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      expect.stringMatching(/^Content-Length: \d+$/),
      'Content-Type: application/json; charset=utf-8',
      'X-Content-Type-Options: nosniff',
      'x-frame-options: DENY',
      "content-security-policy: default-src 'self'",
      'Connection: close',
    ]);
    const other = fakeSocket();
    clientErrorReply.call({}, overflow, other.socket);
    expect(other.written.join('')).not.toMatch(/x-frame-options|content-security-policy/);
  });

  it('refuses at start-up a header that could break or double a raw answer: CR/LF or another control character, a name the edge sets itself, a bad name', () => {
    const bad: Record<string, string>[] = [
      { 'x-a': 'ok\r\nSet-Cookie: x=1' },
      { 'x-a': 'nul\u0000' },
      { 'x-a': 'tab\there' },
      { 'content-type': 'text/html' },
      { connection: 'keep-alive' },
      { 'x-content-type-options': 'nosniff' },
      { 'X-Upper': 'v' },
      { 'x a': 'v' },
    ];
    for (const headers of bad) expect(() => edgeHeaders({}, headers)).toThrow(/cannot be an edge answer's header/);
  });
});
