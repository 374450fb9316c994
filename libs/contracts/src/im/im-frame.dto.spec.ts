import { validatePayload } from '../validation';
import {
  buildImFrame,
  encodeImFrame,
  IM_MAGIC,
  ImAppId,
  ImBizCode,
  ImFrame,
  ImFrameCode,
  ImMsgBody,
} from './im-frame.dto';

describe('ImFrame', () => {
  it('buildImFrame fills in the UTF-8 byte length of the JSON body', () => {
    const body = {
      msgId: 'm1',
      appId: ImAppId.LIVE_BIZ,
      userId: 7,
      bizCode: ImBizCode.GIFT_FAIL,
      data: { requestId: 'r', msg: '余额不足' },
    };
    const frame = buildImFrame(ImFrameCode.BIZ, body);
    expect(frame).toEqual({ magic: IM_MAGIC, code: 1003, len: Buffer.byteLength(JSON.stringify(body)), body });
    expect(frame.len).toBeGreaterThan(JSON.stringify(body).length);
    expect(validatePayload(ImMsgBody, body).ok).toBe(true);
  });

  it('encodeImFrame writes the same text as JSON.stringify(buildImFrame) from a serialized body', () => {
    const body = { frameId: 3, msgs: [{ msgId: 'm1', data: { msg: '余额不足' } }] };
    expect(encodeImFrame(ImFrameCode.BATCH, JSON.stringify(body))).toBe(
      JSON.stringify(buildImFrame(ImFrameCode.BATCH, body)),
    );
  });

  it('a frame without a body has len 0', () => {
    expect(buildImFrame(ImFrameCode.HEARTBEAT)).toEqual({ magic: 18673, code: 1004, len: 0, body: undefined });
  });

  it('validates incoming frames: magic, code, body shape', () => {
    expect(validatePayload(ImFrame, { magic: 18673, code: 1005, len: 14, body: { msgId: 'm1' } }).ok).toBe(true);
    expect(validatePayload(ImFrame, { magic: 1, code: 1005, len: 0 }).ok).toBe(false);
    expect(validatePayload(ImFrame, { magic: 18673, code: 999, len: 0 }).ok).toBe(false);
    expect(validatePayload(ImFrame, { magic: 18673, code: 1001, len: 0, body: 'token' }).ok).toBe(false);
  });
});
