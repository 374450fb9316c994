/** The column pair most tables share. */
export const TIMES = `create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`;

/** The tables' (and the database's) default for text: case- and accent-insensitive, right for human text only. */
export const TEXT_COLLATION = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';

/**
 * What every identifier column says: compared byte for byte. Identifiers are request ids, order ids, request
 * and idempotency keys, PK ids, phones, fingerprints, tokens and hashes: any column looked up, joined or kept
 * unique by exact value (the gateway, Redis and the services' JS maps all tell `abc` from `ABC`; a database that
 * does not lets a case variant of an id reach another's row: migration 1764000000900).
 */
export const EXACT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';

const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** A table and the statement that creates it; the folder it is declared in names the app that owns it. */
export interface OwnedTable {
  name: string;
  create: string;
}

/**
 * `CREATE TABLE name (columns) <engine, charset>options`. The table's default collation stays TEXT_COLLATION
 * (for human text): in this and in any later CREATE TABLE or ADD COLUMN, an identifier column must say so
 * itself, `request_id VARCHAR(64) ${EXACT} NOT NULL` (utf8mb4_bin), or it compares case-insensitively.
 * The tables created before migration 1764000000900 got their identifier columns converted by it.
 */
export function ownedTable(name: string, columns: string, options = ''): OwnedTable {
  return { name, create: `CREATE TABLE ${name} (${columns}) ${TABLE}${options}` };
}
