import { validateEnv } from '@live/common';
import { buildDataSourceOptions, DatabaseEnv, detectServerFlavor, dropDatabase, ensureDatabase } from '@live/database';
import { DataSource, EntitySchema } from 'typeorm';
import { uniqueName } from './names';

export interface TestDatabase {
  /** The database's name (set it as DB_NAME for modules under test). */
  name: string;
  /** Connected, migrated. */
  dataSource: DataSource;
  env: DatabaseEnv;
  /** Closes the connection and drops the database. */
  drop(): Promise<void>;
}

/** A throwaway database on DB_HOST/DB_PORT with every migration applied (never `synchronize`). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export async function createTestDatabase(opts: { entities?: (Function | EntitySchema)[] } = {}): Promise<TestDatabase> {
  const env = validateEnv(DatabaseEnv, { ...process.env, DB_NAME: uniqueName('lg_test'), DB_POOL_SIZE: '5' });
  await ensureDatabase(env);
  const dataSource = await new DataSource(
    buildDataSourceOptions(env, { entities: opts.entities ?? [] }, await detectServerFlavor(env)),
  ).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    name: env.DB_NAME,
    dataSource,
    env,
    async drop() {
      await dataSource.destroy();
      await dropDatabase(env);
    },
  };
}
