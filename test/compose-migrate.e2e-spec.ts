import { parseEnvFile } from '@live/common';
import { LivingRoomReader } from '@live/contracts';
import { createTestDatabase } from '@live/testing';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { composeEnvFiles, composeServices, REPO_ROOT } from './support/compose-file';
import { Exit, runProcess, TS_NODE_ENV } from './support/run-process';

/**
 * docker-compose.yml's one-shot `migrate` container, its entrypoint line run as the container runs it (sh -c, the
 * environment compose gives it: deploy/mysql.env and deploy/im-core.env with real secrets, NODE_ENV=production),
 * against the real database. It must make im-core's own account, which reads whether a room is live and nothing
 * else, and a rerun must set im-core.env's new password. Two things differ from the container, and are replaced
 * in the line (each found exactly once): MySQL's root is a throwaway administrator here (this server's root has no
 * password, which the production profile refuses), and the image's compiled migrate.js is the source through
 * ts-node (Jest runs before the build).
 */
describe("docker-compose.yml's migrate container makes im-core's read-only account", () => {
  jest.setTimeout(120_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const tag = randomBytes(5).toString('hex');
  const admin = { user: `lg_adm_${tag}`, password: randomBytes(32).toString('hex') };
  const imCoreUser = `lg_imc_${tag}`;
  const opened: Connection[] = [];
  /** im-core's password as the last run that succeeded set it. */
  let lastGood = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query('CREATE USER ?@? IDENTIFIED BY ?', [admin.user, '%', admin.password]);
    await db.dataSource.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [admin.user, '%']);
    await db.dataSource.query(
      `INSERT INTO t_living_room (id, anchor_id, room_name, status) VALUES (811, 90811, 'compose', 1)`,
    );
  });

  afterAll(async () => {
    for (const conn of opened) await conn.end().catch(() => undefined);
    try {
      for (const user of [admin.user, imCoreUser]) await db?.dataSource.query('DROP USER IF EXISTS ?@?', [user, '%']);
    } finally {
      await db?.drop();
    }
  });

  /** The migrate service's shell line, with this machine's two differences (see above). */
  const migrateLine = (): string => {
    const service = composeServices().migrate;
    expect(service.entrypoint?.slice(0, 2)).toEqual(['sh', '-c']);
    let line = service.entrypoint![2].replaceAll('$$', '$');
    const replace = (from: string, to: string): void => {
      expect([from, line.split(from).length - 1]).toEqual([from, 1]);
      line = line.replace(from, to);
    };
    replace('DB_USER=root', `DB_USER=${admin.user}`);
    replace(
      'node scripts/run-app.js libs/database/src/migrate.js',
      `"${process.execPath}" -r ts-node/register -r tsconfig-paths/register libs/database/src/migrate.ts`,
    );
    return line;
  };

  /** The env files compose gives the service, with their CHANGE-ME placeholders replaced as an operator does. */
  const containerEnv = (imCorePassword: string): Record<string, string> => {
    const files = composeEnvFiles('migrate').map((file) =>
      Object.fromEntries(parseEnvFile(readFileSync(join(REPO_ROOT, `${file}.example`), 'utf8'))),
    );
    const env: Record<string, string> = Object.assign({}, ...files);
    expect(Object.keys(env).sort()).toEqual(['DB_PASSWORD', 'DB_USER', 'MYSQL_ROOT_PASSWORD']);
    return {
      ...env,
      MYSQL_ROOT_PASSWORD: admin.password,
      DB_USER: imCoreUser, // im-core.env's account, a fresh name here (a shared server may hold the default one)
      DB_PASSWORD: imCorePassword,
      ...composeServices().migrate.environment,
      DB_HOST: db.env.DB_HOST,
      DB_PORT: String(db.env.DB_PORT),
      DB_NAME: db.name,
    };
  };

  const runMigrate = (imCorePassword: string): Promise<Exit> =>
    runProcess('sh', ['-c', migrateLine()], REPO_ROOT, { ...TS_NODE_ENV, ...containerEnv(imCorePassword) });

  const connectAs = async (password: string): Promise<Connection> => {
    const conn = await createConnection({
      host: db.env.DB_HOST,
      port: db.env.DB_PORT,
      user: imCoreUser,
      password,
      database: db.name,
    });
    opened.push(conn);
    return conn;
  };

  it('runs in the production profile as the administrator, and im-core reads with its account and may not write', async () => {
    const password = randomBytes(32).toString('hex');
    const run = await runMigrate(password);
    expect([run.code, run.output]).toEqual([
      0,
      expect.stringContaining(`im-core: ${imCoreUser}@% may SELECT from t_living_room of ${db.name}, nothing else`),
    ]);
    expect(run.output).toContain(`${admin.user}@${db.env.DB_HOST}:${db.env.DB_PORT}/${db.name}`);
    for (const secret of [password, admin.password]) expect(run.output).not.toContain(secret);

    const conn = await connectAs(password);
    const rooms = new LivingRoomReader({ query: async (sql, params) => (await conn.query(sql, params))[0] });
    await expect(rooms.isLive(811)).resolves.toBe(true);
    await expect(
      conn.query('UPDATE t_qiyu_currency_account SET current_balance = current_balance + 1'),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/DENIED/),
    });
  });

  it("a rerun (the next `docker compose up`) sets im-core.env's new password: the old one is refused", async () => {
    const before = randomBytes(32).toString('hex');
    expect((await runMigrate(before)).code).toBe(0);
    const after = randomBytes(32).toString('hex');
    expect((await runMigrate(after)).code).toBe(0);
    lastGood = after;
    await expect(connectAs(before)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    await expect(
      new LivingRoomReader({
        query: async (sql, params) => (await (await connectAs(after)).query(sql, params))[0],
      }).isLive(811),
    ).resolves.toBe(true);
  });

  it("refuses the example's placeholder as im-core's password, and says why without echoing it", async () => {
    const placeholder = Object.fromEntries(
      parseEnvFile(readFileSync(join(REPO_ROOT, 'deploy/im-core.env.example'), 'utf8')),
    ).DB_PASSWORD;
    const run = await runMigrate(placeholder);
    expect(run.code).toBe(1);
    expect(run.output).toContain('[migrate] refusing to start');
    expect(run.output).toMatch(/IM_CORE_DB_PASSWORD: .*published/);
    expect(run.output).not.toContain(placeholder);
    // Refused before it connected: the account still has the last good password, not the published one.
    await expect(connectAs(placeholder)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    await expect(connectAs(lastGood)).resolves.toBeDefined();
  });
});
