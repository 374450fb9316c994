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

/** Where a room title's words break: spaces and the punctuation that separates words (not dots: `S.y.s.t.e.m`). */
const TITLE_WORD_BREAKS = /[\s\-_/\\|:,;!?()[\]{}<>"'#@&+*=~]+/u;

/**
 * Why a room title would pass for the platform's staff, or null: one of its words, folded as staffWordProblem
 * folds (`ADMIN`, `Оffісіаl` in Cyrillic, `S.y.s.t.e.m`), is a staff word. Whole words, not parts of them as for
 * nicknames: a title is a sentence, and "Badminton night", "Unofficial fan stream" or "Ecosystem talk" are fine.
 */
export function staffWordInTitleProblem(text: string): string | null {
  const words = new Set(text.split(TITLE_WORD_BREAKS).map((w) => foldLookAlikes(w)));
  const word = STAFF_WORDS.find((w) => words.has(w));
  return word ? `"${text}" contains "${word}", kept for the platform's staff` : null;
}
