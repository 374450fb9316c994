/**
 * IM frames the simulated clients send, for the worker threads (plain constants: a worker does not
 * inherit the main thread's module aliases, so it cannot import @live/contracts).
 */
export const IM_MAGIC = 18673;
export const IM_CODE = { LOGIN: 1001, BIZ: 1003, HEARTBEAT: 1004, ACK: 1005, BATCH: 1006 } as const;
export const IM_BIZ = { GIFT_SUCCESS: 5556, GIFT_FAIL: 5557 } as const;

const acks = new Map<string, string>();

/** The ack of one message; built once per msgId and shared by every simulated socket (`#<n>`: of frame n). */
export function ackFrame(msgId: string): string {
  let frame = acks.get(msgId);
  if (!frame) {
    const ack = msgId.startsWith('#') ? { frameId: Number(msgId.slice(1)) } : { msgId };
    const body = JSON.stringify(ack);
    frame = JSON.stringify({ magic: IM_MAGIC, code: IM_CODE.ACK, len: Buffer.byteLength(body), body: ack });
    if (acks.size > 200_000) acks.clear();
    acks.set(msgId, frame);
  }
  return frame;
}

export const HEARTBEAT_FRAME = JSON.stringify({ magic: IM_MAGIC, code: IM_CODE.HEARTBEAT, len: 0 });

/** The ack of a batch frame (1006): `{ frameId }`, built once per frameId and shared like ackFrame. */
export function frameAckFrame(frameId: number): string {
  return ackFrame(`#${frameId}`);
}

/** The most frameIds one ack carries (IM_MAX_FRAME_IDS_PER_ACK of @live/contracts). */
export const MAX_FRAME_IDS_PER_ACK = 64;

/** The ack of several batch frames at once: `{ frameIds }` (1..MAX_FRAME_IDS_PER_ACK of them). */
export function framesAckFrame(frameIds: number[]): string {
  const body = JSON.stringify({ frameIds });
  return `{"magic":${IM_MAGIC},"code":${IM_CODE.ACK},"len":${Buffer.byteLength(body)},"body":${body}}`;
}

/** The messages of a business frame: the one of a 1003, the list of a 1006; [] for any other frame. */
export function messagesOf<B>(frame: { code?: number; body?: unknown }): B[] {
  if (frame.code === IM_CODE.BIZ && frame.body) return [frame.body as B];
  if (frame.code === IM_CODE.BATCH && frame.body) return (frame.body as { msgs: B[] }).msgs;
  return [];
}
