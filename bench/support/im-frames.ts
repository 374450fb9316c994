/**
 * IM frames the simulated clients send, for the worker threads (plain constants: a worker does not
 * inherit the main thread's module aliases, so it cannot import @live/contracts).
 */
export const IM_MAGIC = 18673;
export const IM_CODE = { LOGIN: 1001, BIZ: 1003, HEARTBEAT: 1004, ACK: 1005 } as const;
export const IM_BIZ = { GIFT_SUCCESS: 5556, GIFT_FAIL: 5557 } as const;

const acks = new Map<string, string>();

/** The ack of one message; built once per msgId and shared by every simulated socket. */
export function ackFrame(msgId: string): string {
  let frame = acks.get(msgId);
  if (!frame) {
    const body = JSON.stringify({ msgId });
    frame = JSON.stringify({ magic: IM_MAGIC, code: IM_CODE.ACK, len: Buffer.byteLength(body), body: { msgId } });
    if (acks.size > 200_000) acks.clear();
    acks.set(msgId, frame);
  }
  return frame;
}

export const HEARTBEAT_FRAME = JSON.stringify({ magic: IM_MAGIC, code: IM_CODE.HEARTBEAT, len: 0 });
