import { Column, PrimaryColumn, ValueTransformer } from 'typeorm';

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

/** A BIGINT primary key read as a number: AUTO_INCREMENT unless `generated: false` (a key chosen by the caller). */
export function BigIntPrimaryColumn(options: { name?: string; generated?: boolean } = {}): PropertyDecorator {
  return PrimaryColumn({
    ...(options.name !== undefined ? { name: options.name } : {}),
    type: 'bigint',
    ...(options.generated === false ? {} : { generated: 'increment' as const }),
    transformer: bigintTransformer,
  });
}

/** A BIGINT column (an id or an amount of coins) read as a number; a nullable one defaults to NULL. */
export function BigIntColumn(options: { name?: string; nullable?: boolean; default?: number } = {}): PropertyDecorator {
  return Column({
    ...(options.name !== undefined ? { name: options.name } : {}),
    type: 'bigint',
    ...(options.nullable ? { nullable: true, default: null } : {}),
    ...(options.default !== undefined ? { default: options.default } : {}),
    transformer: bigintTransformer,
  });
}
