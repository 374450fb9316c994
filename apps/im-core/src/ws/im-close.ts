import { BaseErrorCode } from '@live/common';
import { ImClientAckBody } from '@live/contracts';
import WebSocket from 'ws';

/** The WebSocket's close codes, limits and small helpers (ImWebSocketServer). */

export const WS_PATH = '/ws';
/**
 * Close codes: 4401 not logged in (bad, expired or used token, or none in time), 4400 too many bad frames,
 * 4408 silent too long, 4409 replaced by a newer socket of the same user (IM_MAX_SOCKETS_PER_USER),
 * 4413 slow consumer (more unsent than unsentBytesBound: IM_MAX_BUFFERED_BYTES, 16 KiB before login), 4429 too
 * many frames (IM_FRAMES_PER_SECOND). Too many connections from one address: the upgrade is answered HTTP 429; too
 * many sockets waiting to log in on the node (IM_MAX_SOCKETS_BEFORE_LOGIN): the oldest closed 4401, or 503.
 */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_BAD_FRAMES = 4400;
export const CLOSE_SILENT = 4408;
export const CLOSE_REPLACED = 4409;
export const CLOSE_SLOW_CONSUMER = 4413;
export const CLOSE_TOO_MANY_FRAMES = 4429;
export const MAX_BAD_FRAMES = 20;
/**
 * Unsent bytes a socket may hold before it is closed as a slow consumer (4413): IM_MAX_BUFFERED_BYTES once
 * logged in; before that at most 16 KiB (it is only ever answered errors and its login: one address may hold
 * hundreds of such sockets, so their sum stays small).
 */
export const unsentBytesBound = (loggedIn: boolean, max: number): number => (loggedIn ? max : Math.min(max, 16_384));
/** A socket closed by the server gets this long to finish the close handshake, then it is dropped. */
export const CLOSE_GRACE_MS = 1_000;
export const TOO_MANY_CONNECTIONS =
  'HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: application/json\r\n\r\n' +
  JSON.stringify({ code: -10001, msg: 'too many connections from this address, try again in a moment', data: null });

/** An upgrade while the node holds IM_MAX_SOCKETS_BEFORE_LOGIN sockets not logged in, none of them a second old. */
export const TOO_MANY_WAITING =
  'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: application/json\r\n\r\n' +
  JSON.stringify({
    code: BaseErrorCode.SERVICE_UNAVAILABLE.code,
    msg: 'this node has too many connections waiting to log in, try again in a moment',
    data: null,
  });

/** An upgrade whose request target is not a URL (e.g. `GET http://[ HTTP/1.1`): 400 with the envelope, closed. */
export const BAD_UPGRADE_URL =
  'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n' +
  JSON.stringify({ code: 100001, msg: 'the WebSocket URL could not be read', data: null });

export function parseRoomId(value: string | null): number | null {
  if (value === null || !/^\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** `batch` of a login URL: absent (undefined), 0 or 1; anything else is 'invalid'. */
export function parseBatch(value: string | null): 0 | 1 | undefined | 'invalid' {
  if (value === null) return undefined;
  return value === '0' ? 0 : value === '1' ? 1 : 'invalid';
}

/** Starts the close handshake and drops the socket if it is not done within CLOSE_GRACE_MS (a client that reads nothing). */
export function closeWithin(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  setTimeout(() => ws.readyState !== ws.CLOSED && ws.terminate(), CLOSE_GRACE_MS).unref();
}

/** The answer (a bad frame) to a room switch past IM_ROOM_SWITCHES_PER_10S. */
export const tooManyRoomSwitches = (per10s: number): string =>
  `too many room switches: at most ${per10s} per 10 seconds on a socket`;

/** The answer to an ack whose userId is not the socket's user (nothing settled). */
export const foreignAck = (ack: ImClientAckBody): { error: string } => ({
  error: `ack of ${ackedOf(ack)} ignored: its userId is not this connection's user`,
});

/** What an ack names, for an answer: `frame F`, `frames F1,F2`, or the msgId. */
const ackedOf = (ack: ImClientAckBody): string =>
  'frameIds' in ack ? `frames ${ack.frameIds.join(',')}` : 'frameId' in ack ? `frame ${ack.frameId}` : ack.msgId;
