import { ErrorCode, ImErrorCode, joinProblems, parseJsonWithin, shapeProblem } from '@live/common';
import { CHAT_TEXT_MAX_CHARS, ChatSendData, foldForMatching, ImBizCode, shownTextProblem } from '@live/contracts';

/** Why a chat message was refused: its code and the message the sender is shown. */
export interface ChatRefusal {
  error: ErrorCode;
  msg: string;
}

export function chatRefusal(error: ErrorCode, msg: string = error.msg): ChatRefusal {
  return { error, msg };
}

/**
 * The `data` of a client's 5555, checked: `{ roomId, text }` (an object, or a JSON string of one, as
 * clients of the original protocol send `data`); text trimmed, 1..CHAT_TEXT_MAX_CHARS characters (code
 * points), none of what shownTextProblem refuses (malformed, blank once invisible characters are left out,
 * control or invisible characters, private use, stacked marks). Nothing else may come along.
 */
export function parseChatData(data: unknown): ChatSendData | ChatRefusal {
  let value = data;
  // Decoded from a string, the frame's own limits never saw it (a review's finding: 750 unknown names, all listed).
  if (typeof value === 'string') {
    const parsed = parseJsonWithin(value);
    if (!parsed.ok)
      return chatRefusal(
        ImErrorCode.CHAT_MESSAGE_INVALID,
        parsed.problem === undefined
          ? 'chat data must be { roomId, text } (an object or its JSON)'
          : `chat data ${parsed.problem}`,
      );
    value = parsed.value;
  } else {
    const shape = shapeProblem(value);
    if (shape !== null) return chatRefusal(ImErrorCode.CHAT_MESSAGE_INVALID, `chat data ${shape}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return chatRefusal(ImErrorCode.CHAT_MESSAGE_INVALID, 'chat data must be { roomId, text }');
  const { roomId, text, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    const named = joinProblems(unknown.map((name) => (name.length > 32 ? `${name.slice(0, 32)}…` : name)));
    return chatRefusal(ImErrorCode.CHAT_MESSAGE_INVALID, `chat data: unknown field(s) ${named}`);
  }
  if (typeof roomId !== 'number' || !Number.isSafeInteger(roomId) || roomId < 1)
    return chatRefusal(ImErrorCode.CHAT_MESSAGE_INVALID, 'chat data: roomId must be a positive integer');
  if (typeof text !== 'string')
    return chatRefusal(ImErrorCode.CHAT_MESSAGE_INVALID, 'chat data: text must be a string');
  const trimmed = text.trim();
  const chars = [...trimmed].length;
  if (chars === 0) return chatRefusal(ImErrorCode.CHAT_TEXT_INVALID, 'chat text is empty');
  if (chars > CHAT_TEXT_MAX_CHARS)
    return chatRefusal(
      ImErrorCode.CHAT_TEXT_INVALID,
      `chat text has ${chars} characters: at most ${CHAT_TEXT_MAX_CHARS} are allowed`,
    );
  const problem = shownTextProblem(trimmed);
  if (problem) return chatRefusal(ImErrorCode.CHAT_TEXT_INVALID, `chat text ${problem}`);
  return { roomId, text: trimmed };
}

/**
 * A refusal's error frame (code 0) body (null: none, the message was delivered): `error` as every error frame has it, plus its 13xxx `code`, `msg` and
 * bizCode 5555. `badFrame`: data that is not `{ roomId, text }` counts toward the bad frames, as any malformed body.
 */
export function chatErrorFrame(refusal: ChatRefusal | null): { body: object; badFrame: boolean } | null {
  if (!refusal) return null;
  const { error, msg } = refusal;
  return {
    body: { error: msg, code: error.code, msg, bizCode: ImBizCode.CHAT },
    badFrame: error === ImErrorCode.CHAT_MESSAGE_INVALID,
  };
}

export function isRefusal(value: ChatSendData | ChatRefusal): value is ChatRefusal {
  return 'error' in value;
}

/**
 * The blocked words (IM_CHAT_BLOCKED_WORDS): substrings of the text's folded form (`foldForMatching`), the
 * words folded the same way. Folding trades a few false positives ("grasp amazing" holds "spam" once its
 * space is gone) for the obvious bypasses (`s p a m`, `S.P.A.M`, `späm`).
 */
export class BlockedWords {
  private readonly words: string[];

  constructor(list: string) {
    this.words = [
      ...new Set(
        list
          .split(',')
          .map(foldForMatching)
          .filter((w) => w.length > 0),
      ),
    ];
  }

  get size(): number {
    return this.words.length;
  }

  /** The first blocked word the text contains, or null. */
  find(text: string): string | null {
    if (this.words.length === 0) return null;
    const t = foldForMatching(text);
    return this.words.find((w) => t.includes(w)) ?? null;
  }
}
