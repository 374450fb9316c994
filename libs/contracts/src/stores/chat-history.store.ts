import { keyPart } from './store-key';

/**
 * A room's recent chat, owned and written by im-core: `${prefix}:im:{room:<id>}:chat-history`, a list of at
 * most IM_CHAT_HISTORY ChatMessageData JSON, oldest first, expiring IM_CHAT_HISTORY_TTL_SECONDS after its
 * last message; a socket joining the room is sent it. A room's chat ends with the room: api-gateway, which
 * closes rooms, drops the list then (ChatHistoryDropper), so a closed room does not hold it for the TTL
 * (an anchor could open and close a room every two minutes, each leaving up to ~50 KB for a day).
 * What im-core still accepts in the few seconds its live-room answer is held (IM_CHAT_ROOM_CACHE_MS)
 * starts a new list, which expires with its TTL.
 */
export function chatHistoryKey(prefix: string, roomId: number): string {
  return `${keyPart(prefix, 'prefix')}:im:{room:${keyPart(roomId, 'roomId')}}:chat-history`;
}

export class ChatHistoryDropper {
  constructor(
    private readonly redis: { unlink(key: string): Promise<number> },
    private readonly prefix: string,
  ) {}

  /** Drops the room's chat history (a closed room's); true when there was one. */
  async drop(roomId: number): Promise<boolean> {
    return (await this.redis.unlink(chatHistoryKey(this.prefix, roomId))) > 0;
  }
}
