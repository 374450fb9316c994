/**
 * Control characters, line and paragraph separators, and the bidirectional overrides and isolates (which
 * would reorder the text shown after them).
 */
const CONTROL_OR_SEPARATOR = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** Invisible format characters (Unicode category Cf: zero-width space and joiners, soft hyphen, BOM, tags...). */
const FORMAT_CHAR = /\p{Cf}/u;

/**
 * A zero-width joiner (U+200D) between two emoji (the first maybe with its variation selector or skin tone),
 * as in 👩‍💻, 👨‍👩‍👧 or 🏳️‍🌈: the one format character a text may hold.
 */
const EMOJI_JOINER =
  /(?<=\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)\u200D(?=\p{Extended_Pictographic})/gu;

/**
 * Whether a text holds a character refused in chat texts (im-core) and nicknames (api-gateway): a control
 * character, a line or paragraph separator, a bidi override or isolate, or any invisible format character
 * (category Cf: U+200B zero-width space, U+00AD soft hyphen, U+2060 word joiner, U+FEFF, the tag characters of
 * subdivision flags such as 🏴󠁧󠁢󠁥󠁮󠁧󠁿...), which would hide a blocked word (`sp\u200Bam`) or make two names look
 * alike, except U+200D between two emoji. Variation selectors and combining marks are not format characters.
 */
export function hasForbiddenTextChars(text: string): boolean {
  return CONTROL_OR_SEPARATOR.test(text) || FORMAT_CHAR.test(text.replace(EMOJI_JOINER, ''));
}

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
