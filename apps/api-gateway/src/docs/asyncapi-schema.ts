import { IM_MAGIC, ImAppId, ImBizCode } from '@live/contracts';

/** The shared pieces of the AsyncAPI document's message schemas (asyncapi-messages.ts, asyncapi-pk.ts). */

/** JSON Schema (AsyncAPI's default schema format) of the WebSocket frames, from the contract's constants. */
export type Schema = Record<string, unknown>;

export const MSG_ID = {
  type: 'string',
  pattern: '^[A-Za-z0-9_\\-:.]{1,64}$',
  description: 'the request id of the gift',
};
export const ID = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };

/** A frame `{ magic, code, len, body }` of one code; `len` is the UTF-8 byte length of JSON.stringify(body). */
export function frame(code: number, body: Schema | null, description: string): Schema {
  return {
    type: 'object',
    description,
    required: body ? ['magic', 'code', 'len', 'body'] : ['magic', 'code', 'len'],
    properties: {
      magic: { type: 'integer', const: IM_MAGIC },
      code: { type: 'integer', const: code },
      len: { type: 'integer', minimum: 0, description: 'UTF-8 byte length of JSON.stringify(body); 0 without one' },
      ...(body ? { body } : {}),
    },
  };
}

export const objectOf = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  required,
  properties,
});

/** ImMsgBody of a business message of one bizCode. */
export function bizBody(bizCode: ImBizCode, data: Schema, userId: string): Schema {
  return objectOf({
    msgId: { ...MSG_ID, description: 'what the 1005 ack carries back; the gift request id' },
    appId: { type: 'integer', const: ImAppId.LIVE_BIZ },
    userId: { type: 'integer', minimum: 0, description: userId },
    bizCode: { type: 'integer', const: bizCode },
    data,
  });
}

export const message = (name: string, title: string, summary: string, payload: Schema, example: object): Schema => ({
  name,
  title,
  summary,
  contentType: 'application/json',
  payload,
  examples: [{ name: `${name}-example`, payload: example }],
});

export const withBody = (code: number, body: object): object => ({
  magic: IM_MAGIC,
  code,
  len: Buffer.byteLength(JSON.stringify(body)),
  body,
});
