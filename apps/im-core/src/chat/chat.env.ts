import { IntSetting } from '@live/common';
import { IsString, Matches, MaxLength } from 'class-validator';

/** The live-room chat's settings (bizCode 5555, ChatService). */
export class ChatEnv {
  /**
   * Chat messages one user may send per second, counted in Redis (one counter per user shared by every im-core
   * node, so a user with sockets on two nodes gets no more); past it the sender gets CHAT_RATE_LIMITED (13006).
   */
  @IntSetting(1, 100)
  IM_CHAT_RATE: number = 1;

  /** A room's recent messages kept in Redis and replayed to a client joining it, oldest first (0: none kept). */
  @IntSetting(0, 1_000)
  IM_CHAT_HISTORY: number = 50;

  /** A room's history is dropped this long after its last message (seconds; every message refreshes it). */
  @IntSetting(60, 30 * 86_400)
  IM_CHAT_HISTORY_TTL_SECONDS: number = 86_400;

  /**
   * How long a room's "live or not" answer (t_living_room, read once) is held before it is read again (ms; 0:
   * read for every message). A room closed meanwhile still takes chat for at most this long.
   */
  @IntSetting(0, 60_000)
  IM_CHAT_ROOM_CACHE_MS: number = 5_000;

  /**
   * Chat frames (1003 with bizCode 5555) one socket may send in a burst: a token bucket on the connection, taken
   * before anything of the frame beyond its JSON is looked at; an empty bucket answers CHAT_RATE_LIMITED (13006).
   */
  @IntSetting(1, 100)
  IM_CHAT_SOCKET_BURST: number = 5;

  /** ...refilled at this many chat frames a second. */
  @IntSetting(1, 100)
  IM_CHAT_SOCKET_RATE: number = 2;

  /**
   * Words refused in chat texts, comma-separated, matched as substrings of the text's folded form (NFKC, lower
   * case, combining marks, whitespace, punctuation and symbols removed: `S.P.A.M`, `s p a m`, `ＳＰＡＭ` and
   * `späm` all hold `spam`; the words are folded the same way). Empty: none.
   */
  @IsString()
  @MaxLength(65_536)
  @Matches(/^[^\n\r]*$/, { message: 'IM_CHAT_BLOCKED_WORDS must be one line of comma-separated words' })
  IM_CHAT_BLOCKED_WORDS: string = '';

  /** One call to im-router delivering a chat message to the room (its nodes). */
  @IntSetting(100, 60_000)
  IM_CHAT_PUSH_TIMEOUT_MS: number = 5_000;
}
