import { Column } from 'typeorm';

/** `create_time`: DATETIME(3) the database sets when the row is inserted. */
export function CreateTimeColumn(): PropertyDecorator {
  return Column({ name: 'create_time', type: 'datetime', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' });
}

/** `update_time`: DATETIME(3) the database sets on insert and on every update. */
export function UpdateTimeColumn(): PropertyDecorator {
  return Column({
    name: 'update_time',
    type: 'datetime',
    precision: 3,
    default: () => 'CURRENT_TIMESTAMP(3)',
    onUpdate: 'CURRENT_TIMESTAMP(3)',
  });
}

/** The `create_time` and `update_time` columns of a table whose rows change after they are written. */
export abstract class TimestampedEntity {
  @CreateTimeColumn()
  createTime!: Date;

  @UpdateTimeColumn()
  updateTime!: Date;
}

/**
 * SQL: the start of the hour a DATETIME expression falls in, by the database (t_qiyu_earnings_hour.hour_start of
 * a gift credit written at that time). Migrations keep their own copy: they run as they were written.
 */
export const sqlHourStart = (t: string): string => `TIMESTAMP(DATE(${t}), MAKETIME(HOUR(${t}), 0, 0))`;
