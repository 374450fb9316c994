import { BaseErrorCode, BizException } from '../errors';

/** An opaque keyset cursor of one list: the id of the last row of the page it follows (rows newest first, by id). */
export interface KeysetCursor {
  /** base64url of `<tag>.<id>` (the tag names the list and its version, e.g. `h1`: gift history, version 1). */
  encode(id: number): string;
  /** The row id a cursor continues after; anything this list did not give (or that names no possible row) is a PARAM_ERROR. */
  decode(cursor: string): number;
}

export function keysetCursor(tag: string): KeysetCursor {
  const plain = new RegExp(`^${tag}\\.([1-9][0-9]{0,15})$`);
  const encode = (id: number): string => Buffer.from(`${tag}.${id}`, 'utf8').toString('base64url');
  return {
    encode,
    decode(cursor: string): number {
      const match = plain.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      const id = match ? Number(match[1]) : NaN;
      if (!Number.isSafeInteger(id) || encode(id) !== cursor) {
        throw new BizException(BaseErrorCode.PARAM_ERROR, 'cursor is not one this endpoint gave');
      }
      return id;
    },
  };
}
