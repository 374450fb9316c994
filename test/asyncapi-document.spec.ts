import { IM_MAGIC, ImBizCode, ImFrameCode } from '@live/contracts';
import * as closeCodes from '../apps/im-core/src/ws/im-close';
import { buildAsyncApiDocument, IM_CLOSE_CODES } from '../apps/api-gateway/src/docs/asyncapi-document';
import { asyncApiProblems } from '../scripts/api-docs';

type Message = { payload: { properties: { magic: { const: number }; code: { const: number }; body?: Body } } };
type Body = { properties?: { bizCode?: { const: number } } };

const messages = (): Record<string, Message> =>
  (buildAsyncApiDocument() as { channels: { im: { messages: Record<string, Message> } } }).channels.im.messages;

describe('the AsyncAPI 3.0 document of the WebSocket protocol (/docs/asyncapi.json)', () => {
  it('is valid for @asyncapi/parser (no error, no warning), and a broken one is not', async () => {
    const document = buildAsyncApiDocument();
    expect(document.asyncapi).toBe('3.0.0');
    expect(await asyncApiProblems(document)).toEqual([]);
    const broken = { ...document, operations: { x: { action: 'send', channel: { $ref: '#/channels/none' } } } };
    expect((await asyncApiProblems(broken)).length).toBeGreaterThan(0);
  }, 30_000);

  it('describes every frame code and every bizCode of the contract, with the magic', () => {
    const all = Object.values(messages());
    const frameCodes = Object.values(ImFrameCode).filter((c) => typeof c === 'number');
    expect(new Set(all.map((m) => m.payload.properties.code.const))).toEqual(new Set([0, ...frameCodes]));
    const bizCodes = Object.values(ImBizCode).filter((c) => typeof c === 'number');
    const described = all.flatMap((m) => m.payload.properties.body?.properties?.bizCode?.const ?? []);
    // 5555 (chat) goes both ways: the client's message, the room's, and the refusal's error frame name it.
    expect(new Set(described)).toEqual(new Set(bizCodes));
    expect(described.filter((c) => c !== ImBizCode.CHAT).sort()).toEqual(
      bizCodes.filter((c) => c !== ImBizCode.CHAT).sort(),
    );
    expect(described.filter((c) => c === ImBizCode.CHAT)).toHaveLength(3);
    expect(all.every((m) => m.payload.properties.magic.const === IM_MAGIC)).toBe(true);
  });

  it("names every close code im-core uses, and no other (1000: logout's normal close)", () => {
    const used = Object.entries(closeCodes)
      .filter(([name]) => name.startsWith('CLOSE_') && name !== 'CLOSE_GRACE_MS')
      .map(([, code]) => code as number);
    expect(Object.keys(IM_CLOSE_CODES).map(Number).sort()).toEqual([1000, ...used].sort());
  });
});
