import { IsInt, Max, Min, ValidateBy } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
/**
 * How deep offset paging reads: the last row of a page (page x pageSize) at most this far from the newest. A
 * page's OFFSET is read to be skipped, so without a bound one request past the end of a long ledger made the
 * database walk all of it (a few seconds for a busy anchor's millions of rows).
 */
export const MAX_PAGE_DEPTH = 10_000;

/** page x pageSize <= MAX_PAGE_DEPTH (on `page`, once both are otherwise valid; their own checks name the others). */
export function IsWithinPageDepth(): PropertyDecorator {
  return ValidateBy({
    name: 'isWithinPageDepth',
    validator: {
      validate: (page: unknown, args) => {
        const pageSize = (args?.object as { pageSize?: unknown } | undefined)?.pageSize;
        // Only two values otherwise valid: a bad pageSize is named by its own checks alone.
        const size = Number.isInteger(pageSize) ? (pageSize as number) : 0;
        return !Number.isInteger(page) || size < 1 || size > MAX_PAGE_SIZE || (page as number) * size <= MAX_PAGE_DEPTH;
      },
      defaultMessage: () => `page x pageSize must be at most ${MAX_PAGE_DEPTH}: paging reads no deeper than that`,
    },
  });
}

/** Paging of list requests: page counts from 1; pageSize 1..100; page x pageSize at most MAX_PAGE_DEPTH. */
export class PageRequest {
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_DEPTH)
  @IsWithinPageDepth()
  page!: number;

  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize!: number;
}

/** One page of a list (the public API's `{ list, hasNext }`). */
export interface Page<T> {
  list: T[];
  hasNext: boolean;
}

/**
 * The page of `rows` read with LIMIT pageSize + 1: hasNext when there is a row after it that a next page may
 * read, so false at MAX_PAGE_DEPTH (the list ends there: the next page would be refused).
 */
export function pageOf<T>(rows: T[], page: number, pageSize: number): Page<T> {
  return { list: rows.slice(0, pageSize), hasNext: rows.length > pageSize && (page + 1) * pageSize <= MAX_PAGE_DEPTH };
}
