import { IsInt, Max, Min, ValidateBy } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
/**
 * How deep offset paging reads: the last row of a page (page x pageSize) at most this far from the newest. A
 * page's OFFSET is read to be skipped, so without a bound one request past the end of a long ledger made the
 * database walk all of it (a few seconds for a busy anchor's millions of rows).
 */
export const MAX_PAGE_DEPTH = 10_000;

/** page x pageSize <= MAX_PAGE_DEPTH (on `page`, once both are integers; their own checks name the others). */
export function IsWithinPageDepth(): PropertyDecorator {
  return ValidateBy({
    name: 'isWithinPageDepth',
    validator: {
      validate: (page: unknown, args) => {
        const pageSize = (args?.object as { pageSize?: unknown }).pageSize;
        return (
          !Number.isInteger(page) ||
          !Number.isInteger(pageSize) ||
          (page as number) * (pageSize as number) <= MAX_PAGE_DEPTH
        );
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
