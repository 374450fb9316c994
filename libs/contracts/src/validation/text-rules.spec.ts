import { reasonTextProblem, shownTextProblem } from './text-rules';

/** Texts of every script and emoji sequence that must keep passing both rules. */
const ORDINARY = [
  'hello',
  '👩‍💻', // zero-width joiner between emoji
  '👨‍👩‍👧',
  '🏳️‍🌈', // variation selector, then a joiner
  '❤️', // a variation selector
  '👍🏻', // a skin tone
  '1️⃣', // a keycap: two marks
  '星星 ⭐ Star',
  '你好，世界',
  '안녕하세요', // Korean syllables (precomposed, no fillers)
  'ㅋㅋㅋ', // Korean compatibility jamo
  'مرحبا بالعالم',
  'שָׁלוֹם', // Hebrew with points: two marks on one letter
  'café crème',
  'e\u0301', // one combining mark
  'e\u0301\u0323', // two combining marks on one letter
  'Tiếng Việt', // Vietnamese: two marks, precomposed
  'Ω≈ç√∫',
  'a\u0336'.repeat(4) + '\u0336\u0336\u0336', // four marks on the last character, the most allowed
  '⠁⠃⠉ braille', // Braille letters (not the blank)
  'လျှော့ဈေး', // Burmese "discount": five marks on one consonant, two of them non-spacing
  'မျှော်လင့်', // Burmese "hope"
  'می‌خواهم', // Persian: a zero-width non-joiner inside a word
  'کتاب‌ها',
  'ශ්‍රී ලංකා', // Sinhala: a zero-width joiner after a virama
  'র‍্যাব', // Bengali: a joiner before a virama
  'नमस्ते', // Devanagari
  'สวัสดี่', // Thai with a tone mark
];

describe('shownTextProblem: chat texts and nicknames', () => {
  it.each(ORDINARY)('takes %s', (text) => {
    expect(shownTextProblem(text)).toBeNull();
  });

  it.each([
    ['a lone surrogate', 'a\ud800b', /lone surrogate/],
    ['a lone low surrogate', '\udc00', /lone surrogate/],
    ['noncharacters U+FFFF U+FFFE', '\uFFFF\uFFFE', /noncharacter/],
    ['a noncharacter U+FDD0', 'a\uFDD0', /noncharacter/],
    ['a noncharacter of plane 16', 'a\u{10FFFF}', /noncharacter/],
    ['a noncharacter of plane 1', 'a\u{1FFFE}', /noncharacter/],
    ['Hangul fillers only', '\u3164\u3164', /blank/],
    ['the half-width Hangul filler only', '\uFFA0', /blank/],
    ['Braille blanks only', '\u2800\u2800', /blank/],
    ['a zero-width space only', '\u200B', /blank/],
    ['variation selectors only', '\uFE0F\uFE0F', /blank/],
    ['a null notehead only', '\u{1D159}', /blank/],
    ['a Hangul filler in a name', 'user10006\u3164', /invisible/],
    ['a Hangul choseong filler', 'user10006\u115F', /invisible/],
    ['a Hangul jungseong filler', 'user\u1160 10006', /invisible/],
    ['a half-width Hangul filler', 'user10006\uFFA0', /invisible/],
    ['a Hangul filler inside a word', 'adm\u3164in', /invisible/],
    ['a Khmer inherent vowel', 'ad\u17B4min', /invisible/],
    ['a Khmer inherent vowel AA', 'ad\u17B5min', /invisible/],
    ['a Mongolian vowel separator', 'ad\u180Emin', /invisible/],
    ['an invisible times', 'ad\u2062min', /invisible/],
    ['an invisible plus', 'ad\u2064min', /invisible/],
    ['a combining grapheme joiner', 'ad\u034Fmin', /invisible/],
    ['a zero-width space', 'sp\u200Bam', /invisible/],
    ['a zero-width joiner between letters', 'sp\u200Dam', /invisible/],
    ['a zero-width non-joiner in a Latin word', 'sp\u200Cam', /invisible/],
    ['a joiner between a Latin and a Persian letter', 'a\u200Cم', /invisible/],
    ['a joiner at the end', 'کتاب\u200C', /invisible/],
    ['a left-to-right mark', 'abc\u200E', /invisible/],
    ['a control character', 'a\u0007b', /control/],
    ['a bidi override', 'a\u202Eb', /control/],
    ['a tag character', '🏴\u{E0067}\u{E0062}\u{E007F}', /invisible/],
    ['private use', '\uE000\uF8FF', /private-use/],
    ['private use of plane 15', 'a\u{F0000}', /private-use/],
    ['199 marks stacked on one letter', 'a' + '\u0336'.repeat(199), /more than 4 combining marks/],
    ['five marks on one letter', 'ok a\u0301\u0302\u0303\u0304\u0305', /more than 4 combining marks/],
    ['five variation selectors', 'a\uFE00\uFE01\uFE02\uFE03\uFE04', /more than 4 combining marks/],
  ])('refuses %s', (_what, text, problem) => {
    expect(shownTextProblem(text)).toMatch(problem);
  });

  it('names the first problem in words to follow the field name', () => {
    expect(shownTextProblem('a\ud800')).toBe('must not contain a lone surrogate (malformed UTF-16)');
    expect(shownTextProblem('\u3164')).toBe('must not be blank (only spaces or invisible characters)');
  });
});

describe('reasonTextProblem: admins’ reasons', () => {
  it.each([...ORDINARY, 'line one\nline two', 'payout account not verified'])('takes %s', (text) => {
    expect(reasonTextProblem(text)).toBeNull();
  });

  it.each([
    ['a zero-width space only', '\u200B', /blank/],
    ['a BOM and spaces', ' \uFEFF ', /blank/],
    ['whitespace only', ' \t\n', /blank/],
    ['a Hangul filler only', '\u3164', /blank/],
    ['empty', '', /blank/],
    ['a lone surrogate', 'fraud\ud800', /lone surrogate/],
    ['a noncharacter', 'fraud\uFFFE', /noncharacter/],
  ])('refuses %s', (_what, text, problem) => {
    expect(reasonTextProblem(text)).toMatch(problem);
  });
});
