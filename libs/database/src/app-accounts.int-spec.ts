import { LivingRoomReader } from '@live/contracts';
import { createTestDatabase } from '@live/testing';
import { randomBytes } from 'node:crypto';
import { createConnection, Connection } from 'mysql2/promise';
import { accountSettingsProblem, ensureReadOnlyAccount, excessGrants, READ_ONLY_ACCOUNTS } from './app-accounts';

/** im-core's account made on a throwaway database, then used the way im-core uses it, and the way an intruder would. */
describe("the read-only accounts of `migrate accounts` (im-core's) on the real database", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const user = `lg_t_${randomBytes(6).toString('hex')}`;
  const host = '%';
  const opened: Connection[] = [];
  const imCore = READ_ONLY_ACCOUNTS.find((a) => a.app === 'im-core')!;

  const connectAs = async (password: string): Promise<Connection> => {
    const conn = await createConnection({
      host: db.env.DB_HOST,
      port: db.env.DB_PORT,
      user,
      password,
      database: db.name,
    });
    opened.push(conn);
    return conn;
  };
  const queryable = (conn: Connection) => ({
    query: async (sql: string, params?: unknown[]) => (await conn.query(sql, params))[0],
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(
      `INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (801, 90801, 'accounts', 1), (802, 90802, 'accounts', 0)`,
    );
  });

  afterAll(async () => {
    for (const conn of opened) await conn.end().catch(() => undefined);
    try {
      await db?.dataSource.query('DROP USER IF EXISTS ?@?', [user, host]);
    } finally {
      await db?.drop();
    }
  });

  it("reads whether a room is live, as im-core's chat does, and nothing else: no other table, no write", async () => {
    const password = randomBytes(32).toString('base64url');
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password, tables: imCore.tables });
    const conn = await connectAs(password);
    const rooms = new LivingRoomReader(queryable(conn));
    await expect(rooms.isLive(801)).resolves.toBe(true);
    await expect(rooms.isLive(802)).resolves.toBe(false);

    const denied = { code: expect.stringMatching(/^ER_(TABLEACCESS|COLUMNACCESS|DBACCESS)_DENIED_ERROR$/) };
    await expect(conn.query('SELECT current_balance FROM t_qiyu_currency_account LIMIT 1')).rejects.toMatchObject(
      denied,
    );
    await expect(
      conn.query('UPDATE t_qiyu_currency_account SET current_balance = current_balance + 1'),
    ).rejects.toMatchObject(denied);
    await expect(conn.query('UPDATE t_living_room SET status = 1 WHERE id = 802')).rejects.toMatchObject(denied);
    await expect(
      conn.query("INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (803, 1, 'x', 1)"),
    ).rejects.toMatchObject(denied);
    await expect(conn.query('CREATE TABLE t_intruder (id INT)')).rejects.toMatchObject(denied);
    await expect(conn.query('SELECT id FROM typeorm_migrations LIMIT 1')).rejects.toMatchObject(denied);
    expect(await db.dataSource.query('SELECT status FROM t_living_room WHERE id = 802')).toEqual([{ status: 0 }]);
  });

  it('a rerun sets the new password and takes back grants widened by hand', async () => {
    const first = randomBytes(32).toString('base64url');
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password: first, tables: imCore.tables });
    await db.dataSource.query(`GRANT SELECT, UPDATE ON \`${db.name}\`.* TO ?@?`, [user, host]);
    const second = randomBytes(32).toString('base64url');
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password: second, tables: imCore.tables });

    await expect(connectAs(first)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    const conn = await connectAs(second);
    await expect(new LivingRoomReader(queryable(conn)).isLive(801)).resolves.toBe(true);
    await expect(conn.query('UPDATE t_qiyu_currency_account SET current_balance = 0')).rejects.toMatchObject({
      code: expect.stringMatching(/DENIED/),
    });
    await expect(excessGrants(queryable(conn), db.name, imCore.tables)).resolves.toEqual([]);
  });

  it("refuses an owner's account named by mistake (2026-12-03: migrate now runs as root, which may narrow any account), and leaves it as it was", async () => {
    const password = randomBytes(32).toString('base64url');
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password, tables: imCore.tables });
    await db.dataSource.query(`GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO ?@?`, [user, host]);
    const other = randomBytes(32).toString('base64url');
    await expect(
      ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password: other, tables: imCore.tables }),
    ).rejects.toThrow(`${user}@${host} may change the schema of ${db.name} (GRANT ALL PRIVILEGES ON`);
    const conn = await connectAs(password); // its password unchanged
    await conn.query('UPDATE t_living_room SET room_name = room_name WHERE id = 801'); // its rights too
    await db.dataSource.query(`REVOKE ALL PRIVILEGES ON \`${db.name}\`.* FROM ?@?`, [user, host]);
  });

  it("excessGrants names what an account holds beyond its reads: the owner's all, a hand-widened grant", async () => {
    await expect(excessGrants(db.dataSource, db.name, imCore.tables)).resolves.not.toEqual([]); // the tests' owner (root)
    const password = randomBytes(32).toString('base64url');
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host, password, tables: imCore.tables });
    await db.dataSource.query(`GRANT SELECT, UPDATE ON \`${db.name}\`.\`t_living_room\` TO ?@?`, [user, host]);
    const widened = await excessGrants(queryable(await connectAs(password)), db.name, imCore.tables);
    expect(widened).toHaveLength(1);
    expect(widened[0]).toMatch(/UPDATE ON `.+`\.`t_living_room`/);
  });

  it.each([
    [
      'a name that is not an account name',
      "x'@'%",
      '%',
      'a-password-long-enough-for-production-0123',
      'the account name must be',
    ],
    [
      'a host with a quote',
      'lg_ok',
      "%' OR '1",
      'a-password-long-enough-for-production-0123',
      'the account host must be',
    ],
    ['a short password', 'lg_ok', '%', 'short', 'the password must have 32 characters or more'],
    [
      'a password with a quote',
      'lg_ok',
      '%',
      "a-password-long-enough-for-production-'0123",
      'letters, digits and _ + / = . -',
    ],
  ])('refuses %s before it reaches the server', async (_what, name, where, password, reason) => {
    expect(accountSettingsProblem(name, where, password)).toContain(reason);
    await expect(
      ensureReadOnlyAccount(db.dataSource, db.name, { user: name, host: where, password, tables: imCore.tables }),
    ).rejects.toThrow(reason);
  });
});
