/** The column pair most tables share. */
export const TIMES = `create_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  update_time DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`;
const TABLE = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** A table and the statement that creates it; the folder it is declared in names the app that owns it. */
export interface OwnedTable {
  name: string;
  create: string;
}

/** `CREATE TABLE name (columns) <engine, charset>options`. */
export function ownedTable(name: string, columns: string, options = ''): OwnedTable {
  return { name, create: `CREATE TABLE ${name} (${columns}) ${TABLE}${options}` };
}
