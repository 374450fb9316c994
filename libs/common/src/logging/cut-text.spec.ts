import { cutText } from './cut-text';

describe('cutText', () => {
  it('keeps a text within the bound as it is, and cuts a longer one at the bound', () => {
    expect(cutText('abc', 3)).toBe('abc');
    expect(cutText('abcdef', 4)).toBe('abcd');
    expect(cutText('abcdef', 0)).toBe('');
    expect(cutText('abcdef', -3)).toBe('');
  });

  it('never splits a surrogate pair: the pair is left out whole, and what is kept is well-formed', () => {
    const text = 'ab😀cd'; // 😀 is two units at 2 and 3
    expect(cutText(text, 3)).toBe('ab');
    expect(cutText(text, 4)).toBe('ab😀');
    for (let max = 1; max <= text.length; max++) {
      expect(Buffer.from(cutText(text, max), 'utf8').toString('utf8')).toBe(cutText(text, max));
    }
  });
});
