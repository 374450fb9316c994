import { foldLookAlikes } from '@live/contracts';

/** Words a name shown to others (a nickname, a room's title) may not contain once folded: the platform's staff's. */
const STAFF_WORDS = ['admin', 'official', 'moderator', 'staff', 'system'];

/**
 * Why `text` would pass for the platform's staff, or null: it contains a staff word once folded (foldLookAlikes:
 * NFKC, lower case, marks removed, only letters and digits, the letters drawn as nothing such as the Hangul fillers
 * left out, look-alikes of Latin letters (Cyrillic, Greek, small capitals, enclosed) read as Latin: "Ad.min", "ＡＤＭＩＮ", "ädmin", "adm\u3164in" and
 * "Аdmin" are "admin"). `folded`: the text already folded, when the caller has it.
 */
export function staffWordProblem(text: string, folded = foldLookAlikes(text)): string | null {
  const word = STAFF_WORDS.find((w) => folded.includes(w));
  return word ? `"${text}" contains "${word}", kept for the platform's staff` : null;
}

/** Within a word: a small letter then a capital ("OfficialStream"), capitals then a capital and a small letter
 * ("ADMINRoom"), two capitals then a small letter ("OFFICIALstream"), letters then digits ("Admin2") or back. */
const INNER_WORD_BREAKS =
  /(?<=\p{Lowercase})(?=\p{Uppercase})|(?<=\p{Uppercase})(?=\p{Uppercase}\p{Lowercase})|(?<=\p{Uppercase}{2})(?=\p{Lowercase})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
/** Staff words whose plural passes for staff too ("Admins", "Moderators"; "officials" or "systems" are words of any sentence). */
const STAFF_PLURALS = new Map([
  ['admins', 'admin'],
  ['moderators', 'moderator'],
]);

/**
 * A title's words: runs of characters that are letters, digits or marks, or that fold to one (enclosed letters
 * such as Ⓐ or 🅰 are symbols, not letters), split again inside (INNER_WORD_BREAKS), each folded.
 */
function titleWords(text: string): string[] {
  const runs: string[] = [];
  let run = '';
  for (const ch of text) {
    if (/[\p{L}\p{N}\p{M}]/u.test(ch) || foldLookAlikes(ch) !== '') run += ch;
    else if (run) {
      runs.push(run);
      run = '';
    }
  }
  if (run) runs.push(run);
  return runs
    .flatMap((w) => w.split(INNER_WORD_BREAKS))
    .map((w) => foldLookAlikes(w))
    .filter((w) => w.length > 0);
}

/**
 * What a room title's words may be read as: each word (a plural of admin or moderator as the word), two and
 * three neighbours glued ("Off-icial", "Off-ic-ial", "Ad min"), and the runs of single letters spelled out, with
 * anything they contain ("o f f i c i a l", "x o f f i c i a l", "S.y.s.t.e.m").
 */
function titleHasStaffWord(words: readonly string[], staffWord: string): boolean {
  let spelled = '';
  return words.some((word, i) => {
    spelled = word.length === 1 ? spelled + word : '';
    const glued = [word, word + (words[i + 1] ?? ''), word + (words[i + 1] ?? '') + (words[i + 2] ?? '')];
    return (
      glued.includes(staffWord) ||
      STAFF_PLURALS.get(word) === staffWord ||
      (spelled.length > 1 && spelled.includes(staffWord))
    );
  });
}

/**
 * Why a room title would pass for the platform's staff, or null: one of its words, folded as staffWordProblem
 * folds (`ADMIN`, `Оffісіаl` in Cyrillic, `ⒶⒹⓂⒾⓃ`, `S.y.s.t.e.m`), is a staff word, also when glued to another
 * word by its capitals (`OfficialStream`, `ADMINRoom`, `OFFICIALstream`) or a digit (`Admin2`), in the plural
 * (`Admins`, `Moderators`), cut in two or three (`Off-ic-ial`) or spelled out (`o f f i c i a l`):
 * titleHasStaffWord. Whole words, not parts of them as for nicknames: a title is a sentence, and "Badminton
 * night", "Unofficial fan stream", "Ecosystem talk", "Distributed Systems talk" or "Game officials" are fine.
 * Left: words glued in one case (`SYSTEMNOTICE`, `adminroom`), which only a dictionary would tell from
 * "Systematic". An attacker pass (2026-12-01) had `OfficialStream`, `AdminRoom`, `Moderators`, `Off-icial`,
 * `o f f i c i a l` and `Staff·room` through, and a review the enclosed letters of the first fix.
 */
export function staffWordInTitleProblem(text: string): string | null {
  const words = titleWords(text); // once, for every staff word
  const word = STAFF_WORDS.find((w) => titleHasStaffWord(words, w));
  return word ? `"${text}" contains "${word}", kept for the platform's staff` : null;
}
