/** Combining marks (after a compatibility decomposition: the accent of `ä`), and what is not a letter or digit. */
const MARKS = /\p{M}/gu;
const NOT_MATCHED = /[\p{White_Space}\p{P}\p{S}\p{C}\p{Z}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * The form blocked words (im-core) and reserved nicknames (api-gateway) are matched on: NFKC (full-width and
 * compatibility forms: `ＳＰＡＭ`, `ｓ`, `𝐚`), lower case, combining marks removed (`späm`, `s̶p̶a̶m̶`), then
 * whitespace, punctuation, symbols (U+2800, the Braille blank, too), any control or format character and the
 * letters drawn as nothing (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0: default-ignorable) removed
 * (`s p a m`, `S.P.A.M`, `s-p-a-m`, `sp\u3164am`). Not folded here: look-alike letters of other scripts
 * (foldLookAlikes), digits for letters (`sp4m`), or words split across messages.
 */
export function foldForMatching(s: string): string {
  return s.normalize('NFKD').replace(MARKS, '').normalize('NFKC').toLowerCase().replace(NOT_MATCHED, '');
}

/**
 * Letters drawn like Latin ones (in common fonts) that the Unicode normalization keeps apart: Cyrillic and Greek,
 * upper and lower case, Latin small capitals and enclosed letters, with the Latin letter each passes for.
 * Deliberately small: the letters that spell names and words in Latin script.
 */
// prettier-ignore
const LATIN_LOOK_ALIKES: Record<string, string> = {
  // Cyrillic capitals, then small letters
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', У: 'y', Х: 'x', І: 'i', Ј: 'j',
  Ѕ: 's', Ԁ: 'd', Ԛ: 'q', Ԝ: 'w', Ӏ: 'l',
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  ӏ: 'l',
  // Greek capitals, then small letters
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'i', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't', Υ: 'y', Χ: 'x',
  α: 'a', γ: 'y', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', υ: 'u', χ: 'x',
  // Latin small capitals (no compatibility decomposition: NFKC keeps them), and Latin letters drawn like others
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm', ɴ: 'n',
  ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
  ɑ: 'a', ı: 'i', ɩ: 'i', ɡ: 'g', ȷ: 'j', ɒ: 'a',
  // Enclosed letters NFKC keeps (negative circled and negative squared: 🅐, 🅰): symbols, else left out
  ...enclosedLetters(0x1f150), ...enclosedLetters(0x1f170),
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LATIN_LOOK_ALIKES).join('')}]`, 'gu');

/** A block of 26 enclosed capital letters from `first` (A), each with the Latin letter it encloses. */
function enclosedLetters(first: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: 26 }, (_, i) => [String.fromCodePoint(first + i), String.fromCharCode(97 + i)]),
  );
}

/**
 * foldForMatching, with the look-alikes of Latin letters (LATIN_LOOK_ALIKES: Cyrillic, Greek, small capitals,
 * enclosed letters; after the decomposition: `ѐ` is `е` with a mark) read as those letters: `Аdmin`, `sуstem`,
 * `ΑDΜΙΝ`, `ᴀᴅᴍɪɴ`, `🅰dmin` fold to admin and system. For names checked against a few Latin words (reserved nicknames), where a Cyrillic or Greek name
 * folding to Latin gibberish harms nothing; not for the chat's blocked words, where whole words of those
 * languages would (`сор`, litter in Russian, folds to `cop`).
 */
export function foldLookAlikes(s: string): string {
  return foldForMatching(s.normalize('NFKD').replace(LOOK_ALIKE, (c) => LATIN_LOOK_ALIKES[c]));
}
