import { IsInt, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

/** Paging of list requests: page counts from 1; pageSize 1..100. */
export class PageRequest {
  @IsInt()
  @Min(1)
  @Max(1_000_000)
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
