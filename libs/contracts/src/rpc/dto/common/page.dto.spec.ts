import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { MAX_PAGE_DEPTH, pageOf, PageRequest } from './page.dto';

describe('offset paging depth', () => {
  const problems = (page: unknown, pageSize: unknown) =>
    validateSync(plainToInstance(PageRequest, { page, pageSize })).flatMap((e) => Object.values(e.constraints ?? {}));

  it('refuses a page whose last row is past MAX_PAGE_DEPTH, and says so once', () => {
    expect(problems(MAX_PAGE_DEPTH / 100, 100)).toEqual([]);
    expect(problems(MAX_PAGE_DEPTH, 1)).toEqual([]);
    expect(problems(MAX_PAGE_DEPTH / 100 + 1, 100)).toEqual([
      `page x pageSize must be at most ${MAX_PAGE_DEPTH}: paging reads no deeper than that`,
    ]);
    // A pageSize that is no integer is named by its own checks only.
    expect(problems(2, 'x').some((p) => p.startsWith('page x pageSize'))).toBe(false);
    expect(problems(2, 'x').length).toBeGreaterThan(0);
    expect(problems(2, 10_000)).toEqual(['pageSize must not be greater than 100']);
  });

  it('hasNext only when a next page exists and may be read: false at the depth, though rows follow', () => {
    const rows = Array.from({ length: 101 }, (_, i) => i);
    expect(pageOf(rows, 1, 100)).toEqual({ list: rows.slice(0, 100), hasNext: true });
    expect(pageOf(rows, MAX_PAGE_DEPTH / 100 - 1, 100).hasNext).toBe(true);
    expect(pageOf(rows, MAX_PAGE_DEPTH / 100, 100)).toEqual({ list: rows.slice(0, 100), hasNext: false });
    expect(pageOf(rows.slice(0, 100), 1, 100).hasNext).toBe(false);
  });
});
