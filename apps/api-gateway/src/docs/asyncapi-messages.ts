import {
  GIFT_COUNT_MAX,
  GiftEffectData,
  GiftFailData,
  IM_BATCH_VERSIONS,
  IM_MAGIC,
  ImAppId,
  ImBizCode,
  ImFrameCode,
} from '@live/contracts';
import {
  chatMessageData,
  chatMessageExample,
  chatRefusedExample,
  chatSendData,
  chatSendExample,
  errorBody,
} from './asyncapi-chat';
import { bizBody, frame, ID, message, MSG_ID, objectOf, Schema, withBody } from './asyncapi-schema';
import { PK_BATCH_BODIES, PK_MESSAGES } from './asyncapi-pk';

/** `data` of 5556: every field of GiftEffectData (the `satisfies` fails to compile when the class changes). */
const giftEffectData = objectOf({
  requestId: MSG_ID,
  giftId: ID,
  giftName: { type: 'string' },
  svgaUrl: { type: 'string', description: 'the effect animation to play' },
  senderId: ID,
  receiverId: { ...ID, description: 'the anchor' },
  roomId: ID,
  combo: {
    type: 'integer',
    minimum: 1,
    description:
      "the sender's streak of sends of this gift in the room (a send of any count is one), this one included",
  },
  count: {
    type: 'integer',
    minimum: 1,
    maximum: GIFT_COUNT_MAX,
    description: 'how many of the gift this one send carries: one effect showing the count, charged price x count',
  },
} satisfies Record<keyof GiftEffectData, Schema>);

const giftFailData = objectOf({
  requestId: MSG_ID,
  msg: { type: 'string', description: 'why the gift was not charged, fit to show the sender' },
} satisfies Record<keyof GiftFailData, Schema>);

const effectExample = {
  requestId: '42:gift-0001',
  giftId: 1,
  giftName: 'Rose',
  svgaUrl: '/svga/rose.svga',
  senderId: 42,
  receiverId: 7,
  roomId: 3,
  combo: 1,
  count: 10,
} satisfies GiftEffectData;
const failExample = { requestId: '42:gift-0002', msg: 'insufficient balance' } satisfies GiftFailData;
const bizExample = (bizCode: ImBizCode, userId: number, data: object): object => {
  const body = { msgId: (data as { requestId: string }).requestId, appId: ImAppId.LIVE_BIZ, userId, bizCode, data };
  return { magic: IM_MAGIC, code: ImFrameCode.BIZ, len: Buffer.byteLength(JSON.stringify(body)), body };
};
const bare = (code: ImFrameCode): object => ({ magic: IM_MAGIC, code, len: 0 });

/** `batch` of a login (IM_BATCH_VERSIONS). */
const BATCH = {
  type: 'integer',
  enum: [...IM_BATCH_VERSIONS],
  description:
    '1: this client reads batch frames (1006), 0: one 1003 per message; absent: unchanged on a later login, 0 on the first',
};
const FRAME_ID = { ...ID, description: 'the batch frame; what the 1005 ack of the frame carries back' };

const loginBody = objectOf(
  {
    token: { type: 'string', minLength: 1, maxLength: 2048, description: 'the IM token of POST /im/getImConfig' },
    roomId: { ...ID, description: 'the room to join; without it, the socket leaves its room' },
    batch: BATCH,
  },
  ['token'],
);
const loginAnswer = {
  oneOf: [
    objectOf({
      userId: ID,
      roomId: { oneOf: [ID, { type: 'null' }] },
      nodeId: { type: 'string' },
      batch: { ...BATCH, description: '1 when this socket gets batch frames (1006)' },
    }),
    objectOf({ error: { type: 'string' } }),
  ],
};
const batchBody = objectOf({
  frameId: FRAME_ID,
  msgs: {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    description:
      'the ImMsgBody of each message, in the order they were pushed: at most IM_MAX_BATCH_MESSAGES (64 by default, 1,000 at the most)',
    items: {
      oneOf: [
        bizBody(ImBizCode.GIFT_SUCCESS, giftEffectData, '0: everyone in the room'),
        bizBody(ImBizCode.GIFT_FAIL, giftFailData, 'the sender'),
        bizBody(ImBizCode.CHAT, chatMessageData, '0: everyone in the room; a history replay: the socket that joined'),
        ...PK_BATCH_BODIES,
      ],
    },
  },
});
const batchExample = (() => {
  const msgs = [
    {
      msgId: effectExample.requestId,
      appId: ImAppId.LIVE_BIZ,
      userId: 0,
      bizCode: ImBizCode.GIFT_SUCCESS,
      data: effectExample,
    },
    {
      msgId: '43:gift-0007',
      appId: ImAppId.LIVE_BIZ,
      userId: 0,
      bizCode: ImBizCode.GIFT_SUCCESS,
      data: { ...effectExample, requestId: '43:gift-0007', senderId: 43 },
    },
  ];
  return withBody(ImFrameCode.BATCH, { frameId: 812, msgs });
})();

/** Every frame of the protocol, by message id. */
export const IM_MESSAGES: Record<string, Schema> = {
  login: message(
    'login',
    '1001 login',
    'Log in (or switch room): for clients that cannot put ?token=&roomId= on the URL. Single-use token.',
    frame(ImFrameCode.LOGIN, loginBody, 'a login frame'),
    withBody(ImFrameCode.LOGIN, { token: 'im-token-from-getImConfig', roomId: 3 }),
  ),
  loginResult: message(
    'loginResult',
    '1001 login answer',
    'The login answer: `{ userId, roomId, nodeId }`, or `{ error }` and close 4401 for a bad, expired or used token.',
    frame(ImFrameCode.LOGIN, loginAnswer, 'the answer to a login (also sent after a login by URL)'),
    withBody(ImFrameCode.LOGIN, { userId: 42, roomId: 3, nodeId: 'im-core-1' }),
  ),
  logout: message(
    'logout',
    '1002 logout',
    'Log out: the server closes with 1000.',
    frame(ImFrameCode.LOGOUT, null, 'no body'),
    bare(ImFrameCode.LOGOUT),
  ),
  heartbeat: message(
    'heartbeat',
    '1004 heartbeat',
    'Keeps the socket alive: answered with a 1004; a socket silent for IM_HEARTBEAT_TIMEOUT_MS (30 s) is closed 4408.',
    frame(ImFrameCode.HEARTBEAT, null, 'no body'),
    bare(ImFrameCode.HEARTBEAT),
  ),
  giftEffect: message(
    'giftEffect',
    '1003 bizCode 5556: gift effect',
    "A gift's effect, to everyone in the room (userId 0: the room). Ack it with a 1005.",
    frame(ImFrameCode.BIZ, bizBody(ImBizCode.GIFT_SUCCESS, giftEffectData, '0: everyone in the room'), 'a 5556'),
    bizExample(ImBizCode.GIFT_SUCCESS, 0, effectExample),
  ),
  giftFail: message(
    'giftFail',
    '1003 bizCode 5557: gift failed',
    'A gift that was not charged, to its sender only. Ack it with a 1005.',
    frame(ImFrameCode.BIZ, bizBody(ImBizCode.GIFT_FAIL, giftFailData, 'the sender'), 'a 5557'),
    bizExample(ImBizCode.GIFT_FAIL, 42, failExample),
  ),
  chatSend: message(
    'chatSend',
    '1003 bizCode 5555: chat message (client)',
    'A chat message to the room the socket is in: data `{ roomId, text }`. Delivered to every member (the sender too) as a 5555; refused with an error frame (code 0) carrying its 13xxx code and msg, to the sender only: more chat frames than the socket bucket allows (IM_CHAT_SOCKET_BURST at once, IM_CHAT_SOCKET_RATE a second) or faster than IM_CHAT_RATE a second per user (13006), text empty or over 200 characters, malformed (a lone surrogate, a noncharacter), blank once invisible characters are left out, with a control or invisible character (format characters, Hangul fillers; zero-width joiners only between emoji or inside a non-Latin word, direction marks refused), a private-use character or more than 4 non-spacing marks on one character, the msg naming which (13004), not in that room (13005), the room not live (13010), muted in the room by its anchor (13007), a blocked word, matched on the folded text (13008), unavailable (13009); data that is not { roomId, text } (13003) also counts as a bad frame. Any other client 1003 is a bad frame, as before.',
    frame(
      ImFrameCode.BIZ,
      objectOf({ bizCode: { type: 'integer', const: ImBizCode.CHAT }, data: chatSendData }),
      'a client 5555: msgId, appId and userId may come along and are ignored',
    ),
    withBody(ImFrameCode.BIZ, { bizCode: ImBizCode.CHAT, data: chatSendExample }),
  ),
  chatMessage: message(
    'chatMessage',
    '1003 bizCode 5555: chat message (room)',
    "A room's chat message, to everyone in the room (userId 0); msgId = chatId. On joining a room, its recent messages (IM_CHAT_HISTORY, 50) come first, oldest first, each with history: true and msgId h:<chatId>, to that socket only (userId its user). Ack each with a 1005; drop a second copy by chatId.",
    frame(ImFrameCode.BIZ, bizBody(ImBizCode.CHAT, chatMessageData, '0: everyone in the room'), 'a 5555'),
    withBody(ImFrameCode.BIZ, {
      msgId: chatMessageExample.chatId,
      appId: ImAppId.LIVE_BIZ,
      userId: 0,
      bizCode: ImBizCode.CHAT,
      data: chatMessageExample,
    }),
  ),
  giftBatch: message(
    'giftBatch',
    '1006 batch frame',
    'Several messages (5555, 5556, 5557, 5558, 5559, 5561) of one tick in one frame, only to a socket that logged in with batch 1. Ack the frame once with a 1005 carrying its frameId; unacked, the whole frame is resent (bounded) like a 1003.',
    frame(ImFrameCode.BATCH, batchBody, 'a batch frame'),
    batchExample,
  ),
  ack: message(
    'ack',
    '1005 ack',
    'Acks a 1003 by its msgId (the other ImMsgBody fields may come along; a userId must be the own or 0).',
    frame(ImFrameCode.ACK, objectOf({ msgId: MSG_ID, userId: { type: 'integer', minimum: 0 } }, ['msgId']), 'ack'),
    withBody(ImFrameCode.ACK, { msgId: '42:gift-0001' }),
  ),
  frameAck: message(
    'frameAck',
    '1005 ack of a batch frame',
    'Acks every message of a 1006 by its frameId (no msgId with it; a userId must be the own or 0). An invalid frameId is a bad frame; an unknown one is ignored.',
    frame(
      ImFrameCode.ACK,
      objectOf({ frameId: FRAME_ID, userId: { type: 'integer', minimum: 0 } }, ['frameId']),
      'ack',
    ),
    withBody(ImFrameCode.ACK, { frameId: 812 }),
  ),
  ...PK_MESSAGES,
  error: message(
    'error',
    'code 0: error',
    'A frame the server could not use (not JSON, too large, unknown code, bad body, not logged in): `{ error }`; a refused chat message (5555): `{ error, code, msg, bizCode }`.',
    frame(0, errorBody, 'an error answer; 20 unparseable frames close the socket 4400'),
    withBody(0, chatRefusedExample),
  ),
};
