import { DataSourceOptions } from 'typeorm';
import { DatabaseEnv } from './database.env';
import { ServerFlavor } from './ensure-database';
import { MIGRATIONS } from './migrations';

/** MySQL 8 / MariaDB 10.11 through mysql2. Schema changes come from migrations only: never `synchronize`. */
export function buildDataSourceOptions(
  env: DatabaseEnv,
  overrides: Partial<DataSourceOptions> = {},
  flavor: ServerFlavor = 'mysql',
): DataSourceOptions {
  return {
    type: flavor,
    host: env.DB_HOST,
    port: env.DB_PORT,
    username: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: env.DB_POOL_SIZE },
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    ...overrides,
  } as DataSourceOptions;
}
