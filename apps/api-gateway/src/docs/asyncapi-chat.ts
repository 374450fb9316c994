import { CHAT_TEXT_MAX_CHARS, ChatMessageData, ChatSendData } from '@live/contracts';

/** JSON Schemas and examples of the live-room chat (bizCode 5555) for the AsyncAPI document (asyncapi-messages.ts). */
type Schema = Record<string, unknown>;

const ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

/** `data` of a client's 5555 (ChatSendData; an object, or its JSON as a string). */
export const chatSendData: Schema = {
  type: 'object',
  required: ['roomId', 'text'],
  additionalProperties: false,
  properties: {
    roomId: { ...ID, description: 'the room the socket is in' },
    text: {
      type: 'string',
      minLength: 1,
      description: `1-${CHAT_TEXT_MAX_CHARS} characters once trimmed, no control characters`,
    },
  } satisfies Record<keyof ChatSendData, Schema>,
};

/** `data` of the node's 5555 (ChatMessageData). */
export const chatMessageData: Schema = {
  type: 'object',
  required: ['chatId', 'roomId', 'userId', 'nickName', 'text', 'time'],
  properties: {
    chatId: {
      type: 'string',
      description: 'unique; the live push carries it as its msgId (a history replay: h:<chatId>)',
    },
    roomId: ID,
    userId: { ...ID, description: 'the sender' },
    nickName: { type: 'string', description: "the sender's nickname when it was said" },
    text: { type: 'string', description: 'trimmed' },
    time: { type: 'integer', description: 'epoch ms' },
    history: { type: 'boolean', const: true, description: 'only on a replay of the room history when joining' },
  } satisfies Record<keyof ChatMessageData, Schema>,
};

export const chatSendExample = { roomId: 3, text: 'hello everyone' } satisfies ChatSendData;

export const chatMessageExample = {
  chatId: '3f1c2a9e-8a51-4c7e-9d0f-2b9d6a1e4c11',
  roomId: 3,
  userId: 42,
  nickName: 'Lucky Star',
  text: 'hello everyone',
  time: 1764464400000,
} satisfies ChatMessageData;

/** The error frame's body: `error` always; a refused chat message adds its 13xxx `code`, `msg` and `bizCode` 5555. */
export const errorBody: Schema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string' },
    code: { type: 'integer', description: 'a refused chat message: 13003-13009 (see the README)' },
    msg: { type: 'string', description: 'a refused chat message: why, fit to show the sender (= error)' },
    bizCode: { type: 'integer', const: 5555, description: 'a refused chat message' },
  },
};

export const chatRefusedExample = {
  error: 'chatting too fast: at most 1 message(s) a second',
  code: 13006,
  msg: 'chatting too fast: at most 1 message(s) a second',
  bizCode: 5555,
};
