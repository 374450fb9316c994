import { ValueTransformer } from 'typeorm';

/**
 * BIGINT columns (money, ids) as JS numbers. Values beyond Number.MAX_SAFE_INTEGER would silently
 * lose precision, so they throw instead.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null): number | null => {
    if (value === null || value === undefined) return null;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`BIGINT value ${String(value)} is not a safe integer`);
    return n;
  },
};
