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
   * Words refused in chat texts, comma-separated (spaces around each are ignored), compared case-insensitively
   * (and after Unicode NFKC normalization, so full-width letters match too) as substrings. Empty: none.
   */
  @IsString()
  @MaxLength(65_536)
  @Matches(/^[^\n\r]*$/, { message: 'IM_CHAT_BLOCKED_WORDS must be one line of comma-separated words' })
  IM_CHAT_BLOCKED_WORDS: string = '';

  /** One call to im-router delivering a chat message to the room (its nodes). */
  @IntSetting(100, 60_000)
  IM_CHAT_PUSH_TIMEOUT_MS: number = 5_000;
}
