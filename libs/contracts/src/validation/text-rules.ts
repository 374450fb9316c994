/**
 * The text rules shared by what people write for others to read: chat texts (im-core, 5555), nicknames
 * (api-gateway, /user/setNickname) and admins' reasons (IsReasonText). Each rule answers the problem in words
 * (a phrase after the field's name: "chat text must not ..."), or null when the text passes.
 */

/** A lone UTF-16 surrogate (a JSON `"\ud800"` decodes to one): `!text.isWellFormed()`, not in the ES2022 lib. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Noncharacters: U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF ... U+10FFFF). */
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u;

/**
 * What shows nothing: whitespace, the default-ignorable code points (format characters, variation selectors,
 * the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the Khmer inherent vowels U+17B4/U+17B5, U+180E,
 * U+2060..U+2064...), the Braille blank U+2800 and the null notehead U+1D159 (symbols drawn as nothing).
 */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]/gu;

/**
 * Control characters, line and paragraph separators, and the bidirectional overrides and isolates (which
 * would reorder the text shown after them).
 */
const CONTROL_OR_SEPARATOR = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/**
 * Invisible characters: the format characters (Unicode category Cf: zero-width space and joiners, soft hyphen,
 * BOM, U+2060..U+2064, U+180E, tags...) and the other default-ignorable code points that are letters or marks
 * drawn as nothing (the Hangul fillers `user1\u3164`, the Khmer inherent vowels, U+034F), but not the variation
 * selectors (the U+FE0F of ❤️, ideographic variants): those a run of marks limits (STACKED_MARKS).
 */
const INVISIBLE_CHAR = /\p{Cf}|(?!\p{Variation_Selector})\p{Default_Ignorable_Code_Point}/u;

/**
 * A zero-width joiner (U+200D) between two emoji (the first maybe with its variation selector or skin tone),
 * as in 👩‍💻, 👨‍👩‍👧 or 🏳️‍🌈: the one invisible character a text may hold.
 */
const EMOJI_JOINER =
  /(?<=\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)\u200D(?=\p{Extended_Pictographic})/gu;

/**
 * A zero-width non-joiner or joiner (U+200C, U+200D) inside a word of a script that needs them: between two
 * letters or marks neither of which is Latin, as in Persian `می‌خواهم`, Sinhala `ශ්‍රී` or Bengali `র‍্যাব`
 * (after a virama). Invisible in Latin text, where they only split words to slip past filters: refused there.
 */
const WORD_JOINER = /(?<=(?!\p{Script=Latin})[\p{L}\p{M}])[\u200C\u200D](?=(?!\p{Script=Latin})[\p{L}\p{M}])/gu;

/**
 * Private use (U+E000..U+F8FF and planes 15-16): refused in public texts. They mean nothing agreed on, and each
 * device draws them its own way (U+F8FF is an Apple logo on Apple devices, a box elsewhere; a custom font's
 * badge or brand), so a reader cannot know what the sender saw, and a name could carry a fake badge.
 */
const PRIVATE_USE = /\p{Co}/u;

/**
 * The most non-spacing (or enclosing) marks one character may carry: more is stacked "Zalgo" text that covers the
 * lines around. Spacing marks (Mc) take their own room and are not counted: a Burmese syllable such as `လျှော့`
 * carries five marks, two of them non-spacing.
 */
export const MAX_MARKS_PER_CHAR = 4;
const STACKED_MARKS = new RegExp(`[\\p{Mn}\\p{Me}]{${MAX_MARKS_PER_CHAR + 1},}`, 'u');

type Rule = [refuses: (text: string) => boolean, problem: string];

const MALFORMED_OR_BLANK: Rule[] = [
  [(t) => LONE_SURROGATE.test(t), 'must not contain a lone surrogate (malformed UTF-16)'],
  [(t) => NONCHARACTER.test(t), 'must not contain a noncharacter (U+FFFE, U+FFFF, U+FDD0..U+FDEF...)'],
  [(t) => t.replace(INVISIBLE, '').length === 0, 'must not be blank (only spaces or invisible characters)'],
];

const SHOWN_TEXT: Rule[] = [
  ...MALFORMED_OR_BLANK,
  [
    (t) => CONTROL_OR_SEPARATOR.test(t) || INVISIBLE_CHAR.test(t.replace(EMOJI_JOINER, '').replace(WORD_JOINER, '')),
    'must not contain control or invisible characters (zero-width joiners only between emoji or inside a non-Latin word)',
  ],
  [(t) => PRIVATE_USE.test(t), 'must not contain private-use characters'],
  [(t) => STACKED_MARKS.test(t), `must not stack more than ${MAX_MARKS_PER_CHAR} combining marks on one character`],
];

function firstProblem(rules: Rule[], text: string): string | null {
  return rules.find(([refuses]) => refuses(text))?.[1] ?? null;
}

/**
 * Why a reason an admin gives (a freeze, a rejected withdrawal) is refused, or null: a lone surrogate, a
 * noncharacter, or nothing visible (`"\u200B"`, `"\u3164"` or `"   "` says nothing). Admins' reasons may hold
 * line breaks; the stricter rule of shown texts is not applied.
 */
export function reasonTextProblem(text: string): string | null {
  return firstProblem(MALFORMED_OR_BLANK, text);
}

/**
 * Why a text shown to a room (a chat text, a nickname) is refused, or null: a lone surrogate, a noncharacter,
 * nothing visible, a control character, a line or paragraph separator, a bidi override or isolate, an
 * invisible character (INVISIBLE_CHAR: `sp\u200Bam`, `user1\u3164`, direction marks U+200E/U+200F; a zero-width
 * joiner only between emoji, a joiner or non-joiner only inside a non-Latin word), a private-use character, or
 * more than MAX_MARKS_PER_CHAR non-spacing marks on one character. Emoji sequences, the letters and marks of
 * the scripts tested in text-rules.spec (Arabic, Persian, Hebrew, Indic, Burmese, Thai, CJK, Korean...) pass.
 */
export function shownTextProblem(text: string): string | null {
  return firstProblem(SHOWN_TEXT, text);
}
