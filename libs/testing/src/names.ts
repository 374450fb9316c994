import { randomBytes } from 'node:crypto';

/** A name no other test run uses: `${prefix}_${8 hex}` (safe for databases, topics and Redis keys). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
