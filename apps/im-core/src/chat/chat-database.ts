import { describeError, isProductionProfile } from '@live/common';
import { SqlQueryable } from '@live/contracts';
import { buildDataSourceOptions, DatabaseEnv, excessGrants, grantForLog, READ_ONLY_ACCOUNTS } from '@live/database';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Connections chat's database pool may hold (its one query is by primary key, and held a few seconds). */
const CHAT_DB_POOL = 2;

/**
 * MariaDB for chat's one question, whether a room is live (LiveRooms), connected on first use rather than at
 * start: im-core starts, logs sockets in and pushes gifts without the database; while it cannot be reached,
 * a chat message is refused 13009 (CHAT_UNAVAILABLE) and a history is not replayed. A failed connect is
 * tried again on the next question.
 */
@Injectable()
export class ChatDatabase implements SqlQueryable, OnApplicationShutdown {
  private readonly logger = new Logger(ChatDatabase.name);
  private source: Promise<DataSource> | null = null;

  constructor(private readonly env: DatabaseEnv) {}

  async query(sql: string, parameters?: unknown[]): Promise<unknown> {
    const source = await (this.source ??= this.connect());
    return source.query(sql, parameters);
  }

  async onApplicationShutdown(): Promise<void> {
    const source = this.source;
    this.source = null;
    await source?.then(
      (s) => s.destroy(),
      () => undefined,
    );
  }

  private connect(): Promise<DataSource> {
    const options = buildDataSourceOptions(this.env, {
      entities: [],
      migrations: [],
      extra: { connectionLimit: Math.min(CHAT_DB_POOL, this.env.DB_POOL_SIZE) },
    });
    const connecting = new DataSource(options).initialize().then(async (source) => {
      if (isProductionProfile()) await this.warnIfWritable(source);
      return source;
    });
    connecting.catch(() => {
      if (this.source === connecting) this.source = null;
    });
    return connecting;
  }

  /** In production: says so when the account holds more than chat's read (its own account: `migrate accounts`). */
  private async warnIfWritable(source: DataSource): Promise<void> {
    const { tables } = READ_ONLY_ACCOUNTS.find((a) => a.app === 'im-core')!;
    const grants = await excessGrants(source, this.env.DB_NAME, tables).catch((err: unknown) => {
      this.logger.warn(`could not read the grants of im-core's database account: ${describeError(err)}`);
      return [];
    });
    if (grants.length > 0)
      this.logger.warn(
        `im-core's database account ${this.env.DB_USER} holds more than SELECT on ${tables.join(', ')} (${grantForLog(grants[0])}${grants.length > 1 ? `, and ${grants.length - 1} more grants` : ''}): run \`npm run migrate -- accounts\` as an administrator and start im-core with that account (README "Database accounts")`,
      );
  }
}
