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

/** Where a room title's words break: anything but a letter, a digit or a mark (spaces, punctuation, symbols). */
const TITLE_WORD_BREAKS = /[^\p{L}\p{N}\p{M}]+/u;
/** Within a word: a lower-case letter then a capital ("OfficialStream"), letters then digits ("Admin2") or back. */
const INNER_WORD_BREAKS = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/**
 * What a room title's words may be read as, folded as staffWordProblem folds: each word, without a plural's s
 * ("Admins"), glued to the next ("Off-icial", "Ad min"), and the runs of single letters spelled out
 * ("o f f i c i a l", "S.y.s.t.e.m").
 */
function titleReadings(text: string): Set<string> {
  const words = text
    .split(TITLE_WORD_BREAKS)
    .flatMap((w) => w.split(INNER_WORD_BREAKS))
    .map((w) => foldLookAlikes(w))
    .filter((w) => w.length > 0);
  const readings = new Set<string>();
  let spelled = '';
  words.forEach((word, i) => {
    readings.add(word).add(word.replace(/e?s$/, ''));
    if (i + 1 < words.length) readings.add(word + words[i + 1]);
    spelled = word.length === 1 ? spelled + word : '';
    if (spelled.length > 1) readings.add(spelled);
  });
  return readings;
}

/**
 * Why a room title would pass for the platform's staff, or null: one of its words, folded as staffWordProblem
 * folds (`ADMIN`, `Оffісіаl` in Cyrillic, `S.y.s.t.e.m`), is a staff word, also when glued to another word by
 * its capital (`OfficialStream`) or a digit (`Admin2`), in the plural (`Moderators`), cut in two (`Off-icial`)
 * or spelled out (`o f f i c i a l`): titleReadings. Whole words, not parts of them as for nicknames: a title
 * is a sentence, and "Badminton night", "Unofficial fan stream" or "Ecosystem talk" are fine. Left: words glued
 * without a capital to show it (`SYSTEMNOTICE`, `adminroom`), which only a dictionary would tell from "Systematic".
 * An attacker pass (2026-12-01) had `OfficialStream`, `AdminRoom`, `Moderators`, `Off-icial`, `o f f i c i a l` and
 * `Staff·room` (U+00B7 was no break) through.
 */
export function staffWordInTitleProblem(text: string): string | null {
  const readings = titleReadings(text);
  const word = STAFF_WORDS.find((w) => readings.has(w));
  return word ? `"${text}" contains "${word}", kept for the platform's staff` : null;
}
