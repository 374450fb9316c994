import { SCAN_BEFORE_PARSE_FROM } from '@live/common';
import { IM_MAGIC, IM_MAX_FRAME_IDS_PER_ACK, ImFrameCode } from '@live/contracts';
import { parseClientFrame } from './im-frame.parser';

const frame = (code: number, body?: unknown): string => JSON.stringify({ magic: IM_MAGIC, code, len: 0, body });

describe('parseClientFrame', () => {
  it('accepts the client frames with their bodies', () => {
    expect(parseClientFrame(frame(ImFrameCode.HEARTBEAT), 1024)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.HEARTBEAT },
    });
    expect(parseClientFrame(frame(ImFrameCode.LOGOUT), 1024)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.LOGOUT },
    });
    const ack = parseClientFrame(frame(ImFrameCode.ACK, { msgId: 'm-1' }), 1024);
    expect(ack.ok && ack.frame.code === ImFrameCode.ACK && 'msgId' in ack.frame.body && ack.frame.body.msgId).toBe(
      'm-1',
    );
    const login = parseClientFrame(frame(ImFrameCode.LOGIN, { token: 't'.repeat(20), roomId: 7 }), 1024);
    expect(login.ok && login.frame.code === ImFrameCode.LOGIN && login.frame.body.roomId).toBe(7);
  });

  it('takes a client 1003 with bizCode 5555 (chat), its data as sent (checked by ChatService)', () => {
    const body = { msgId: 'x', appId: 10001, userId: 0, bizCode: 5555, data: { roomId: 3, text: 'hi' } };
    expect(parseClientFrame(frame(ImFrameCode.BIZ, body), 1024)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.BIZ, body: { bizCode: 5555, data: { roomId: 3, text: 'hi' } } },
    });
  });

  it('reads a plain ack without a full parse, and an ack written differently the long way', () => {
    const plain = '{"magic":18673,"code":1005,"len":15,"body":{"msgId":"m-9"}}';
    expect(parseClientFrame(plain, 1024)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { msgId: 'm-9' } },
    });
    const spaced = '{ "magic": 18673, "code": 1005, "body": { "msgId": "m-9" } }';
    expect(parseClientFrame(spaced, 1024)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { msgId: 'm-9' } },
    });
  });

  it('reads the ack of a batch frame by frameId, plain or spelled otherwise, and a login announcing batch frames', () => {
    const ack = (raw: string) => parseClientFrame(raw, 1024);
    expect(ack('{"magic":18673,"code":1005,"len":13,"body":{"frameId":42}}')).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameId: 42 } },
    });
    expect(ack(frame(ImFrameCode.ACK, { frameId: 42, userId: 7 }))).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameId: 42, userId: 7 } },
    });
    const login = parseClientFrame(frame(ImFrameCode.LOGIN, { token: 't'.repeat(20), batch: 1 }), 1024);
    expect(login.ok && login.frame.code === ImFrameCode.LOGIN && login.frame.body.batch).toBe(1);
  });

  it('reads the ack of several batch frames by frameIds, plain (up to 64 ids) or spelled otherwise', () => {
    const ack = (raw: string) => parseClientFrame(raw, 2048);
    expect(ack('{"magic":18673,"code":1005,"len":22,"body":{"frameIds":[41,42,7]}}')).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameIds: [41, 42, 7] } },
    });
    const most = Array.from({ length: IM_MAX_FRAME_IDS_PER_ACK }, (_, i) => 999_999_999_999_000 + i);
    expect(ack(`{"magic":18673,"code":1005,"len":0,"body":{"frameIds":[${most.join(',')}]}}`)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameIds: most } },
    });
    // Never past the frame limit, fast path or not (a limit below the setting's minimum, 1,280, to show it).
    const long = `{"magic":18673,"code":1005,"len":0,"body":{"frameIds":[${most.join(',')}]}}`;
    expect(parseClientFrame(long, 256)).toEqual({ ok: false, error: 'frame larger than 256 bytes' });
    expect(Buffer.byteLength(long)).toBeLessThan(1_280);
    expect(ack(frame(ImFrameCode.ACK, { userId: 7, frameIds: [3] }))).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameIds: [3], userId: 7 } },
    });
  });

  it('reads an ack carrying the other ImMsgBody fields, as the original clients send it (fast path or not)', () => {
    const ack = (raw: string) => parseClientFrame(raw, 1024);
    const full =
      '{"magic":18673,"code":1005,"len":60,"body":{"msgId":"7:k-1","appId":10001,"userId":42,"bizCode":5556}}';
    expect(ack(full)).toEqual({ ok: true, frame: { code: ImFrameCode.ACK, body: { msgId: '7:k-1', userId: 42 } } });
    const withData = frame(ImFrameCode.ACK, {
      msgId: '7:k-1',
      appId: 10001,
      userId: 42,
      bizCode: 5556,
      data: { requestId: '7:k-1', combo: 2 },
    });
    expect(ack(withData)).toEqual({ ok: true, frame: { code: ImFrameCode.ACK, body: { msgId: '7:k-1', userId: 42 } } });
    const oddTypes = frame(ImFrameCode.ACK, { msgId: 'm', appId: 'x', bizCode: null, data: [1] });
    expect(ack(oddTypes)).toEqual({ ok: true, frame: { code: ImFrameCode.ACK, body: { msgId: 'm' } } });
    // userId is passed on as sent: whether it is the connection's own is the server's check.
    expect(ack(frame(ImFrameCode.ACK, { msgId: 'm', userId: 'nobody' }))).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { msgId: 'm', userId: 'nobody' } },
    });
  });

  it.each([
    ['not JSON', '{oops', /not JSON/],
    ['an array', '[1,2]', /JSON object/],
    ['a wrong magic', JSON.stringify({ magic: 1, code: 1004 }), /magic/],
    ['an unknown code', frame(4242), /unknown/],
    ['a server-only code', frame(ImFrameCode.BIZ, {}), /unknown or server-only/],
    [
      'a client 1003 of a bizCode other than chat',
      frame(ImFrameCode.BIZ, { bizCode: 5556, data: {} }),
      /unknown or server-only/,
    ],
    ['an ack without msgId', frame(ImFrameCode.ACK, {}), /ack body/],
    ['an ack with a bad msgId', frame(ImFrameCode.ACK, { msgId: 'has space' }), /ack body/],
    ['an ack whose body is an array', frame(ImFrameCode.ACK, ['m']), /ack body/],
    ['a login with a negative room', frame(ImFrameCode.LOGIN, { token: 'x'.repeat(20), roomId: -1 }), /login body/],
    ['a login with extra fields', frame(ImFrameCode.LOGIN, { token: 'x'.repeat(20), admin: true }), /login body/],
    ['an ack with a msgId and a frameId', frame(ImFrameCode.ACK, { msgId: 'm', frameId: 1 }), /not both/],
    ['an ack with frameId 0', frame(ImFrameCode.ACK, { frameId: 0 }), /frameId must be a positive integer/],
    ['an ack with a frameId string', frame(ImFrameCode.ACK, { frameId: '7' }), /frameId must be a positive integer/],
    ['an ack with a fractional frameId', frame(ImFrameCode.ACK, { frameId: 1.5 }), /frameId must be/],
    ['an ack with frameIds and a frameId', frame(ImFrameCode.ACK, { frameIds: [1], frameId: 2 }), /frameIds alone/],
    ['an ack with frameIds and a msgId', frame(ImFrameCode.ACK, { frameIds: [1], msgId: 'm' }), /frameIds alone/],
    ['an ack with no frameIds', frame(ImFrameCode.ACK, { frameIds: [] }), /frameIds must be 1-64 positive/],
    [
      'an ack with 65 frameIds',
      frame(ImFrameCode.ACK, { frameIds: Array.from({ length: 65 }, (_, i) => i + 1) }),
      /frameIds must be 1-64/,
    ],
    ['an ack with frameId 0 among frameIds', frame(ImFrameCode.ACK, { frameIds: [1, 0] }), /frameIds must be/],
    ['an ack with a frameIds string', frame(ImFrameCode.ACK, { frameIds: '1,2' }), /frameIds must be/],
    ['an ack with a fractional frameId among frameIds', frame(ImFrameCode.ACK, { frameIds: [2.5] }), /frameIds must/],
    [
      'an ack with frameIds past 2^53',
      '{"magic":18673,"code":1005,"body":{"frameIds":[9007199254740993]}}',
      /frameIds/,
    ],
    ['a login with batch 2', frame(ImFrameCode.LOGIN, { token: 'x'.repeat(20), batch: 2 }), /login body: batch/],
    ['a login with batch "1"', frame(ImFrameCode.LOGIN, { token: 'x'.repeat(20), batch: '1' }), /login body: batch/],
    ['an oversized frame', frame(ImFrameCode.HEARTBEAT, { pad: 'x'.repeat(2000) }), /larger than/],
    // Refused before class-transformer walks it: 1,500 levels (3 KB, under IM_MAX_FRAME_BYTES) overflowed its
    // stack (an internal error, repeatable at will); 400 levels fit this spec's 1 KB limit.
    [
      'a login nested 400 levels deep',
      `{"magic":18673,"code":1001,"body":{"x":${'['.repeat(400)}${']'.repeat(400)}}}`,
      /nested deeper than 32 levels/,
    ],
    // Refused before class-validator makes an error of each unknown field (890 cost 1.4 ms and a 28 KB answer).
    [
      'a login of 65 unknown fields',
      frame(ImFrameCode.LOGIN, Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`p${i}`, 1]))),
      /^frame has more than 64 fields$/,
    ],
    [
      'a login of 61 unknown fields (65 with the frame own 4)',
      frame(ImFrameCode.LOGIN, Object.fromEntries(Array.from({ length: 61 }, (_, i) => [`p${i}`, 1]))),
      /^frame has more than 64 fields$/,
    ],
    [
      'a login of 60 unknown fields (64 with the frame own 4): 10 named, then a count',
      frame(ImFrameCode.LOGIN, Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, 1]))),
      /^login body: (?:[^;]+; ){9}[^;]+; and \d+ more$/,
    ],
  ])('refuses %s', (_what, raw, error) => {
    const result = parseClientFrame(raw, 1024);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(error);
  });

  it('refuses a long frame misshapen before it is parsed: not even JSON, it is named for its shape', () => {
    const fields = Object.fromEntries(Array.from({ length: 61 }, (_, i) => [`unknownField${i}`, 1]));
    const wide = `${frame(ImFrameCode.LOGIN, fields)},`;
    const deep = `{"magic":18673,"code":1001,"body":${'['.repeat(2_000)}`;
    for (const [raw, error] of [
      [wide, 'frame has more than 64 fields'],
      [deep, 'frame is nested deeper than 32 levels'],
      [wide.slice(0, 900), 'frame is not JSON'], // short: parsed first, as before
    ]) {
      expect(raw.length >= SCAN_BEFORE_PARSE_FROM).toBe(raw !== wide.slice(0, 900));
      expect(parseClientFrame(raw, 8_192)).toEqual({ ok: false, error });
    }
  });
});
