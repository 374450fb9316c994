import { declareEnv, HealthIndicator, validateEnv } from '@live/common';
import { waitForDatabase } from './ensure-database';
import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseEnv } from './database.env';

@Injectable()
export class DatabaseHealthIndicator implements HealthIndicator {
  readonly name = 'mysql';
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}
  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: (Function | EntitySchema)[];
}

/** TypeORM on the validated DB_* settings, global; exports the DataSource and the health indicator. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    declareEnv(DatabaseEnv);
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => {
            const env = validateEnv(DatabaseEnv);
            return buildDataSourceOptions(env, { entities: options.entities }, await waitForDatabase(env));
          },
        }),
      ],
      providers: [DatabaseHealthIndicator],
      exports: [DatabaseHealthIndicator, TypeOrmModule],
    };
  }
}
