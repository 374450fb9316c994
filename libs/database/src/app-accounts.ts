import { Secret } from '@live/common';
import { SqlQueryable } from '@live/contracts';
import { IsString } from 'class-validator';

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

/**
 * The passwords of READ_ONLY_ACCOUNTS as settings (`migrate accounts` validates it with its own): checked as every
 * secret is, so the production profile refuses a short one or a value published in the repository (deploy/im-core.env's
 * CHANGE-ME left in place), naming the variable and never echoing it.
 */
export class ReadOnlyAccountsEnv {
  @Secret()
  @IsString()
  IM_CORE_DB_PASSWORD: string = '';
}

/** A password `migrate accounts` sets: as long as a production DB_PASSWORD must be (32 bytes). */
export const MIN_ACCOUNT_PASSWORD_CHARS = 32;
const ACCOUNT_NAME = /^[A-Za-z0-9_]{1,32}$/;
const RESERVED_ACCOUNTS = new Set(['root', 'mysql', 'mariadb.sys', 'mysql.sys', 'mysql.session']);
const ACCOUNT_HOST = /^[A-Za-z0-9_.%:-]{1,255}$/;
/** Hex, base64 and base64url: no quote or backslash, whatever the server's SQL mode. */
const ACCOUNT_PASSWORD = /^[A-Za-z0-9_+/=.-]+$/;
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/** Why an account's name, host or password cannot be used; null when they can. */
export function accountSettingsProblem(user: string, host: string, password: string): string | null {
  if (!ACCOUNT_NAME.test(user)) return `the account name must be 1-32 letters, digits or _ (got "${user}")`;
  if (RESERVED_ACCOUNTS.has(user.toLowerCase())) return `"${user}" is the server's own account: never made read-only`;
  if (!ACCOUNT_HOST.test(host)) return `the account host must be a host name, an address or a pattern (got "${host}")`;
  if (password.length < MIN_ACCOUNT_PASSWORD_CHARS)
    return `the password must have ${MIN_ACCOUNT_PASSWORD_CHARS} characters or more (got ${password.length})`;
  if (!ACCOUNT_PASSWORD.test(password))
    return 'the password must be made of letters, digits and _ + / = . - (hex or base64: `openssl rand -hex 32`)';
  return null;
}

/**
 * Makes `user`@`host` able to SELECT from `tables` of `database`, with `password`: created when missing, its
 * password set and every privilege granted to it directly taken back when present (so a rerun also rotates the
 * password and narrows grants widened by hand; roles, PROXY and PUBLIC grants are not its business:
 * `excessGrants` names them). An account that may change the database's schema is an owner's (the apps' own,
 * named here by mistake): refused, untouched. Run by an account that may create users and grant (an
 * administrator), never by the app. A failure is reported by the server's error code and message, the password
 * never in it.
 */
export async function ensureReadOnlyAccount(
  db: SqlQueryable,
  database: string,
  account: { user: string; host: string; password: string; tables: readonly string[] },
): Promise<void> {
  const { user, host, password, tables } = account;
  const problem =
    accountSettingsProblem(user, host, password) ??
    [database, ...tables]
      .map((name) => (IDENTIFIER.test(name) ? null : `"${name}" is not a plain identifier`))
      .find(Boolean);
  if (problem) throw new Error(problem);
  const run = async (what: string, sql: string, params: unknown[]): Promise<void> => {
    try {
      await db.query(sql, params);
    } catch (err: unknown) {
      const { code, message } = err as { code?: string; message?: string };
      throw new Error(`${what}: ${code ?? 'failed'}: ${String(message).split(password).join('<password>')}`);
    }
  };
  const owner = schemaGrants(await grantsOf(db, user, host), database);
  if (owner.length > 0)
    throw new Error(
      `${user}@${host} may change the schema of ${database} (${grantForLog(owner[0])}): an owner's account, never made read-only (name another account)`,
    );
  await run('creating the account', 'CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password]);
  await run('setting its password', 'ALTER USER ?@? IDENTIFIED BY ?', [user, host, password]);
  await run('taking back its privileges', 'REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?', [user, host]);
  for (const table of tables)
    await run(`granting SELECT on ${table}`, `GRANT SELECT ON \`${database}\`.\`${table}\` TO ?@?`, [user, host]);
}

/**
 * The lines of `SHOW GRANTS` that give more than an account reading `tables` of `database` needs: anything but
 * USAGE on *.* and SELECT on those tables (a write, a read of anything else, a role, PROXY, WITH GRANT OPTION).
 * Judged by the privilege list and the object of each line, not by names elsewhere in it.
 */
export function grantsBeyond(grants: readonly string[], database: string, tables: readonly string[]): string[] {
  const needed = new Set(tables.map((t) => `\`${database}\`.\`${t}\``));
  return grants.filter((grant) => {
    const parsed = /^GRANT (.+?) ON (\S+) TO \S+@\S+(.*)$/i.exec(grant);
    if (!parsed) return true; // a role ("GRANT `r` TO ..."): not known to be only a read
    const [, list, object, rest] = parsed;
    if (/WITH\b.*\bGRANT OPTION/i.test(rest)) return true;
    const privileges = list.split(',').map((p) => p.trim().toUpperCase());
    if (privileges.every((p) => p === 'USAGE')) return object !== '*.*';
    return !(privileges.every((p) => p === 'SELECT') && needed.has(object));
  });
}

/** SHOW GRANTS lines whose privileges change `database`'s schema (ALL, CREATE, DROP, ALTER on it or on *.*): an owner's. */
export function schemaGrants(grants: readonly string[], database: string): string[] {
  return grants.filter((grant) => {
    const parsed = /^GRANT (.+?) ON (\S+) TO /i.exec(grant);
    if (!parsed || (parsed[2] !== '*.*' && parsed[2] !== `\`${database}\`.*`)) return false;
    return parsed[1].split(',').some((p) => /^(ALL( PRIVILEGES)?|CREATE|DROP|ALTER)$/i.test(p.trim()));
  });
}

/** The lines of a SHOW GRANTS statement (one column, named after the account). */
async function showGrants(db: SqlQueryable, sql: string, params?: unknown[]): Promise<string[]> {
  const rows = (await db.query(sql, params)) as Record<string, unknown>[];
  return rows.map((row) => String(Object.values(row)[0]));
}

/** An account's SHOW GRANTS lines; [] when it does not exist (MySQL and MariaDB: ER_NONEXISTING_GRANT, 1141). */
function grantsOf(db: SqlQueryable, user: string, host: string): Promise<string[]> {
  return showGrants(db, 'SHOW GRANTS FOR ?@?', [user, host]).catch((err: unknown) => {
    if ((err as { errno?: number }).errno === 1141) return [];
    throw err;
  });
}

/** `grantsBeyond` of the connected account (what an app meant to run with a read-only account checks in production). */
export async function excessGrants(db: SqlQueryable, database: string, tables: readonly string[]): Promise<string[]> {
  return grantsBeyond(await showGrants(db, 'SHOW GRANTS'), database, tables);
}

/** A SHOW GRANTS line fit for a log: what follows IDENTIFIED (a password hash, a plugin's string) cut off. */
export const grantForLog = (grant: string): string => grant.replace(/ IDENTIFIED .*$/i, '');
