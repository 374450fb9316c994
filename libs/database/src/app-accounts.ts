/** What the accounts need of a connection: a TypeORM DataSource or a mysql2 connection fits. */
export interface AccountsQueryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Database accounts of the apps that own no table and only read one. im-core is the one: it faces the internet
 * (WebSocket) and asks the database a single question, whether a room is live (t_living_room, api-gateway's).
 * With the owner account, whoever took im-core over could rewrite any balance; with this one it can read
 * which rooms are live. `npm run migrate -- accounts` makes it (see migrate.ts); im-core then runs with
 * DB_USER / DB_PASSWORD set to it.
 */
export interface ReadOnlyAccount {
  /** The app it is for (logs). */
  readonly app: string;
  /** The settings `migrate accounts` reads its name and password from. */
  readonly userSetting: string;
  readonly passwordSetting: string;
  readonly defaultUser: string;
  /** The tables it may SELECT from, and nothing else. */
  readonly tables: readonly string[];
}

export const READ_ONLY_ACCOUNTS: readonly ReadOnlyAccount[] = [
  {
    app: 'im-core',
    userSetting: 'IM_CORE_DB_USER',
    passwordSetting: 'IM_CORE_DB_PASSWORD',
    defaultUser: 'live_gift_im_core',
    tables: ['t_living_room'],
  },
];

/** A password `migrate accounts` sets: as long as a production DB_PASSWORD must be (32 bytes). */
export const MIN_ACCOUNT_PASSWORD_CHARS = 32;
const ACCOUNT_NAME = /^[A-Za-z0-9_]{1,32}$/;
const ACCOUNT_HOST = /^[A-Za-z0-9_.%:-]{1,255}$/;

/** Why an account's name, host or password cannot be used; null when they can. */
export function accountSettingsProblem(user: string, host: string, password: string): string | null {
  if (!ACCOUNT_NAME.test(user)) return `the account name must be 1-32 letters, digits or _ (got "${user}")`;
  if (!ACCOUNT_HOST.test(host)) return `the account host must be a host name, an address or a pattern (got "${host}")`;
  if (password.length < MIN_ACCOUNT_PASSWORD_CHARS)
    return `the password must have ${MIN_ACCOUNT_PASSWORD_CHARS} characters or more (got ${password.length})`;
  return null;
}

/**
 * Makes `user`@`host` able to SELECT from `tables` of `database` and nothing else, with `password`: created when
 * missing, its password set and every other privilege it held taken back when present (so a rerun also rotates
 * the password and repairs grants widened by hand). Run by an account that may create users and grant (the owner's
 * administrator), never by the app.
 */
export async function ensureReadOnlyAccount(
  db: AccountsQueryable,
  database: string,
  account: { user: string; host: string; password: string; tables: readonly string[] },
): Promise<void> {
  const { user, host, password, tables } = account;
  const problem = accountSettingsProblem(user, host, password);
  if (problem) throw new Error(problem);
  await db.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
  await db.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
  await db.query('REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [user, host]);
  for (const table of tables) await db.query(`GRANT SELECT ON \`${database}\`.\`${table}\` TO ?@?`, [user, host]);
}

/** Privileges that change data or schema: a read-only account holds none. */
const WRITE_PRIVILEGE =
  /\b(ALL PRIVILEGES|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|INDEX|REFERENCES|TRIGGER|EVENT|EXECUTE|GRANT OPTION|SUPER|FILE|CREATE USER|RELOAD|SHUTDOWN|LOCK TABLES|DELETE HISTORY)\b/i;

/**
 * The lines of `SHOW GRANTS` (the connected account's) that give more than reading: what an app meant to run with
 * a read-only account logs when it finds itself with another (the owner's, say) in production.
 */
export async function writableGrants(db: AccountsQueryable): Promise<string[]> {
  const rows = (await db.query('SHOW GRANTS')) as Record<string, unknown>[];
  return rows.map((row) => String(Object.values(row)[0])).filter((grant) => WRITE_PRIVILEGE.test(grant));
}
