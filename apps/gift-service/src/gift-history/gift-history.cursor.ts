import { keysetCursor } from '@live/common';

/** Gift history's opaque cursor: base64url of `h1.<id>` (h1: version 1), the last record of the page before. */
const HISTORY_CURSOR = keysetCursor('h1');

export const encodeHistoryCursor = (id: number): string => HISTORY_CURSOR.encode(id);
export const decodeHistoryCursor = (cursor: string): number => HISTORY_CURSOR.decode(cursor);
