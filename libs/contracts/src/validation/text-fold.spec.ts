import { foldForMatching, foldLookAlikes } from './text-fold';

describe('foldForMatching', () => {
  it('folds width, case, combining marks, whitespace, punctuation and symbols away', () => {
    expect(foldForMatching('Ｓ.P a-M! s̶p̶ä̃m ½')).toBe('spamspam12');
  });

  it.each([
    ['sp\u3164am', 'spam'],
    ['\u3164user10006', 'user10006'],
    ['user10006\u115F', 'user10006'],
    ['user10006\u1160', 'user10006'],
    ['user10006\uFFA0', 'user10006'],
    ['user10006\u2800', 'user10006'],
    ['ad\u17B4min', 'admin'],
    ['ad\u180Emin', 'admin'],
    ['ad\u2061min', 'admin'],
    ['ad\u034Fmin', 'admin'],
  ])('leaves out the characters drawn as nothing: %j is %s', (text, folded) => {
    expect(foldForMatching(text)).toBe(folded);
  });

  it('keeps other scripts as they are (look-alikes are not read as Latin here)', () => {
    expect(foldForMatching('\u0455\u0440\u0430m')).toBe('\u0455\u0440\u0430m');
    expect(foldForMatching('안녕하세요 你好')).toBe('안녕하세요你好');
  });
});

describe('foldLookAlikes', () => {
  it.each([
    ['Аdmin', 'admin'], // Cyrillic capital A
    ['sуstem', 'system'], // Cyrillic u
    ['ΑDΜΙΝ', 'admin'], // Greek capitals
    ['аdmіn', 'admin'], // Cyrillic a and i
    ['Оffісіаl', 'official'],
    ['ѕtaff', 'staff'],
    ['mοderatοr', 'moderator'], // Greek omicron
    ['uѕеr10002', 'user10002'],
    ['𝐚𝐝𝐦𝐢𝐧', 'admin'], // mathematical bold: NFKC
    ['Ѐdmin', 'edmin'], // a Cyrillic letter with a mark: decomposed first
    ['ᴀᴅᴍɪɴ', 'admin'], // Latin small capitals
    ['ꜱʏꜱᴛᴇᴍ', 'system'],
    ['ɑdmın', 'admin'], // Latin alpha, dotless i
    ['🅰dmin', 'admin'], // negative squared: a symbol, once left out
    ['🄰🄳🄼🄸🄽', 'admin'], // squared: NFKC already
    ['🅐dmin', 'admin'], // negative circled
    ['ⓐⓓⓜⓘⓝ', 'admin'], // circled: NFKC already
  ])('reads %s as %s', (text, folded) => {
    expect(foldLookAlikes(text)).toBe(folded);
  });

  it('leaves letters without a Latin look-alike alone', () => {
    expect(foldLookAlikes('Привет мир')).toBe('пpивeтмиp');
    expect(foldLookAlikes('안녕하세요')).toBe('안녕하세요');
  });
});
