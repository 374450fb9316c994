import { IM_MESSAGES } from './asyncapi-messages';

/**
 * The im-core WebSocket close codes (apps/im-core/src/ws/im-close.ts; test/asyncapi-document.spec.ts checks
 * that both agree).
 */
export const IM_CLOSE_CODES: Record<number, string> = {
  1000: 'logged out (after a 1002)',
  4400: 'too many bad frames (20; before the login, any frame but a 1001 is one)',
  4401:
    'not logged in: bad, expired or used token (or one of a session that logged out), no login within the heartbeat ' +
    'timeout, or "logged out": the login session the socket was opened with logged out',
  4408: 'silent longer than the heartbeat timeout (IM_HEARTBEAT_TIMEOUT_MS, 30 s)',
  4409: 'replaced by a newer socket of the same user (IM_MAX_SOCKETS_PER_USER)',
  4413: 'slow consumer: more than IM_MAX_BUFFERED_BYTES unsent (16 KiB before the socket logged in)',
  4429:
    'too many frames or bytes: more than IM_FRAMES_PER_SECOND frames (20 a second, 100 at once; acks of what was ' +
    'sent free) or IM_BYTES_PER_SECOND bytes (16 KiB a second, 80 KiB at once)',
};

const DESCRIPTION = `The WebSocket protocol of the im-core nodes (API.md "WebSocket"), as a node sees it: it receives
the client's frames and sends the gift pushes. Get a single-use IM token and a node's address from
POST /im/getImConfig, connect to \`wsImServerAddress\` with \`?token=T&roomId=R\` (or send a 1001 login
frame), then heartbeat (1004) well within 30 s.

Every frame is one JSON text message \`{ "magic": 18673, "code": C, "len": N, "body": ... }\`: 1001 login,
1002 logout, 1003 business message (server to client), 1004 heartbeat, 1005 ack, 1006 batch frame (server to
client, only to a socket that announced it), 0 error answer.
A 1003's body is an ImMsgBody \`{ msgId, appId, userId, bizCode, data }\`: bizCode 5556 gift effect (to
the whole room), 5557 gift failed (to the sender only), 5555 chat message (both ways: a client sends
\`{ roomId, text }\` in its room; the room gets \`{ chatId, roomId, userId, nickName, text, time }\`, a joining
socket the recent ones with \`history: true\`; a refusal is an error frame with a 13xxx code and msg), and in
a PK room 5558 PK bar, 5559 PK seat taken/left, 5561 PK ended (to the whole room; a socket joining during a
PK gets a 5558 snapshot). The client acks each 1003 with a 1005 carrying
its msgId; an unacked message is resent every IM_RESEND_INTERVAL_MS (3 s), at most IM_RESEND_MAX (3)
times, by the node holding the socket. A message never reaches a user it was not addressed to.

Batch frames (additive: a client that does not announce them never gets one): a client that logs in with
\`batch=1\` on the URL or \`"batch": 1\` in the 1001 body (the answer says \`batch: 1\`) gets the messages of
one tick in 1006 frames \`{ frameId, msgs: [ImMsgBody...] }\` of at most IM_MAX_BATCH_MESSAGES (64), in the
order they were pushed, and acks each frame once with a 1005 \`{ frameId }\`; an unacked frame is resent
whole, with the same frameId, like a 1003 (a resend repeats messages the client may have shown: dedupe by
msgId). A batch other than 0 or 1 is an error answer (on the URL: no login; the
token stays good for a 1001).

Close codes: ${Object.entries(IM_CLOSE_CODES)
  .map(([code, why]) => `${code} ${why}`)
  .join('; ')}. Too many connections from one address: the upgrade is answered HTTP 429 (code -10001).`;

const clientOperation = (messages: string[], summary: string, reply?: string): Record<string, unknown> => ({
  action: 'receive',
  channel: { $ref: '#/channels/im' },
  summary,
  messages: messages.map((m) => ({ $ref: `#/channels/im/messages/${m}` })),
  ...(reply
    ? { reply: { channel: { $ref: '#/channels/im' }, messages: [{ $ref: `#/channels/im/messages/${reply}` }] } }
    : {}),
});

const serverOperation = (messages: string[], summary: string): Record<string, unknown> => ({
  action: 'send',
  channel: { $ref: '#/channels/im' },
  summary,
  messages: messages.map((m) => ({ $ref: `#/channels/im/messages/${m}` })),
});

const PUSH_PK =
  "The node pushes a PK's bar (5558), seat (5559) and end (5561) to the room; a joining socket gets a 5558 snapshot.";

/** The AsyncAPI 3.0 document of the WebSocket protocol, served by the gateway at /docs/asyncapi.json. */
export function buildAsyncApiDocument(): Record<string, unknown> {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'live-gift IM WebSocket',
      version: '1.0',
      description: DESCRIPTION,
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      imNode: {
        host: '{node}',
        protocol: 'ws',
        pathname: '/ws',
        description: 'an im-core node: the `wsImServerAddress` POST /im/getImConfig answers',
        variables: { node: { default: '127.0.0.1:8090', description: 'host:port of the node (IM_CORE_WS_PORT)' } },
      },
    },
    channels: {
      im: {
        address: '/ws',
        title: 'the socket of one logged-in user',
        description: 'Client and node frames on one WebSocket.',
        servers: [{ $ref: '#/servers/imNode' }],
        messages: IM_MESSAGES,
        bindings: {
          ws: {
            query: {
              type: 'object',
              properties: {
                token: { type: 'string', description: 'the single-use IM token of POST /im/getImConfig' },
                roomId: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'the room to join on login' },
                batch: { type: 'string', enum: ['0', '1'], description: '1: this client reads batch frames (1006)' },
              },
            },
          },
        },
        'x-close-codes': IM_CLOSE_CODES,
      },
    },
    operations: {
      login: clientOperation(['login'], 'A client logs in or switches room; answered with a 1001.', 'loginResult'),
      heartbeat: clientOperation(['heartbeat'], 'A client heartbeat; answered with a 1004.', 'heartbeat'),
      logout: clientOperation(['logout'], 'A client logs out; the node closes with 1000.'),
      ack: clientOperation(['ack'], 'A client acks a 1003 by msgId; an unacked one is resent (bounded).'),
      chat: clientOperation(['chatSend'], 'A client says something in its room (5555); a refusal is an error frame.'),
      ackFrame: clientOperation(['frameAck'], 'A client acks a 1006 (all its messages) by frameId; resent unacked.'),
      pushGiftEffect: serverOperation(['giftEffect'], 'The node pushes a gift effect (5556) to the whole room.'),
      pushChat: serverOperation(['chatMessage'], 'The node pushes a chat message (5555) to the room, or history.'),
      pushGiftFail: serverOperation(['giftFail'], 'The node tells the sender a gift failed (5557).'),
      pushPk: serverOperation(['pkProgress', 'pkOnline', 'pkEnded'], PUSH_PK),
      pushBatch: serverOperation(['giftBatch'], "The node pushes a tick's messages in one frame to a batching socket."),
      answerBadFrame: serverOperation(['error'], 'The node answers a frame it could not use.'),
      answerLogin: serverOperation(['loginResult'], 'The node answers a login (after a URL login too).'),
    },
  };
}
