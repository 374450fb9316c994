import { IM_MAGIC, IM_MAX_FRAME_IDS_PER_ACK, ImFrameCode } from '@live/contracts';
import { parseClientFrame } from '../apps/im-core/src/ws/im-frame.parser';
import { ackFrame, framesAckFrame, IM_CODE, MAX_FRAME_IDS_PER_ACK } from '../bench/support/im-frames';

/** The bench's simulated clients write their own frames (a worker cannot import @live/contracts): im-core reads them as meant. */
describe("the bench's IM frames, as im-core parses them", () => {
  it('constants match the contract', () => {
    expect([IM_CODE.ACK, IM_CODE.BATCH, MAX_FRAME_IDS_PER_ACK]).toEqual([
      ImFrameCode.ACK,
      ImFrameCode.BATCH,
      IM_MAX_FRAME_IDS_PER_ACK,
    ]);
    expect(JSON.parse(ackFrame('m-1')).magic).toBe(IM_MAGIC);
  });

  it('an ack of one frame, of several, of a message', () => {
    const most = Array.from({ length: MAX_FRAME_IDS_PER_ACK }, (_, i) => 123_456_789_012_345 - i);
    expect(parseClientFrame(framesAckFrame(most), 8_192)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameIds: most } },
    });
    const frame = framesAckFrame([4, 5]);
    expect(JSON.parse(frame).len).toBe(Buffer.byteLength(JSON.stringify(JSON.parse(frame).body)));
    expect(parseClientFrame(ackFrame('#9'), 8_192)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { frameId: 9 } },
    });
    expect(parseClientFrame(ackFrame('7:g-1'), 8_192)).toEqual({
      ok: true,
      frame: { code: ImFrameCode.ACK, body: { msgId: '7:g-1' } },
    });
  });
});
