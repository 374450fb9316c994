/** The longest nickname, in characters (Unicode code points) after trimming. */
export const NICK_NAME_MAX_CHARS = 20;

/** The longest chat text, in characters (Unicode code points) after trimming. */
export const CHAT_TEXT_MAX_CHARS = 200;

/**
 * `data` of a CHAT (5555) message a client sends in a 1003 (API.md additions, SPEC-20): the room it is
 * said in (the socket must be in it) and the text (1..CHAT_TEXT_MAX_CHARS characters after trimming).
 * Checked by im-core (ChatInput), which answers every refusal with an error frame carrying a 13xxx code.
 */
export class ChatSendData {
  roomId!: number;
  text!: string;
}

/**
 * `data` of a CHAT (5555) message im-core pushes to everyone in the room, the sender included. A client
 * that joins a room gets the room's recent ones (IM_CHAT_HISTORY) oldest first, with `history: true`.
 * `chatId` names the message whatever frame carries it (a history replay has its own msgId): clients
 * drop a second copy by it.
 */
export class ChatMessageData {
  chatId!: string;
  roomId!: number;
  /** The sender. */
  userId!: number;
  /** The sender's nickname when it was said. */
  nickName!: string;
  /** Trimmed. */
  text!: string;
  /** When im-core accepted it, epoch ms. */
  time!: number;
  /** Present (true) only on a replay of the room's recent history. */
  history?: true;
}
