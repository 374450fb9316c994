/** How GiftOutcomeService splits a batch into script calls, and names a failed one. */

/** Most gifts of one room per step-2 script call (bounds how long one call holds Redis). */
const ROOM_APPLY_CHUNK = 100;

/** The gifts by room, in their order, at most ROOM_APPLY_CHUNK per call: one step-2 script call each. */
export function roomCalls<T extends { g: { roomId: number } }>(gifts: readonly T[]): T[][] {
  const byRoom = new Map<number, T[]>();
  for (const gift of gifts) {
    const room = byRoom.get(gift.g.roomId);
    if (room) room.push(gift);
    else byRoom.set(gift.g.roomId, [gift]);
  }
  const calls: T[][] = [];
  for (const room of byRoom.values())
    for (let i = 0; i < room.length; i += ROOM_APPLY_CHUNK) calls.push(room.slice(i, i + ROOM_APPLY_CHUNK));
  return calls;
}

/** A call's gifts as failure() names them: the first request id, and how many more the call had. */
export function groupOf(requestIds: readonly string[]): { requestId: string } {
  return { requestId: requestIds.length > 1 ? `${requestIds[0]} (+${requestIds.length - 1} more)` : requestIds[0] };
}

/** The first failed call fails the whole step (the batch is redelivered), naming its gift. */
export function failure(gifts: readonly { requestId: string }[], step: string): (err: Error, i: number) => Error {
  // `cause` keeps what failed visible to isOutage: Redis down is retried, never taken for a bad message.
  return (err, i) =>
    new Error(`gift ${gifts[i].requestId}: outcome ${step} script failed: ${err.message}`, { cause: err });
}
