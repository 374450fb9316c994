import { BaseErrorCode, BizException } from '@live/common';

/** What a cursor carries: the id of the last row of the page it follows (rows come newest first, by id). */
const PLAIN = /^h1\.([1-9][0-9]{0,15})$/;

/** The opaque cursor that continues after the row `id`: base64url of `h1.<id>` (h1: version 1). */
export function encodeHistoryCursor(id: number): string {
  return Buffer.from(`h1.${id}`, 'utf8').toString('base64url');
}

/**
 * The row id a cursor continues after. Anything this service did not write (or that names no possible
 * row) is a PARAM_ERROR: nothing is read, nothing changes.
 */
export function decodeHistoryCursor(cursor: string): number {
  const match = PLAIN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(id) || encodeHistoryCursor(id) !== cursor) {
    throw new BizException(BaseErrorCode.PARAM_ERROR, 'cursor is not one this endpoint gave');
  }
  return id;
}
