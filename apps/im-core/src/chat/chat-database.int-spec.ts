import { validateEnv } from '@live/common';
import { LivingRoomReader } from '@live/contracts';
import { DatabaseEnv, ensureReadOnlyAccount, READ_ONLY_ACCOUNTS } from '@live/database';
import { createTestDatabase } from '@live/testing';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ChatDatabase } from './chat-database';

/** In production, im-core says when its database account can write: it needs only SELECT on t_living_room. */
describe("im-core's chat database in production: the account it runs with", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const user = `lg_c_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(32).toString('base64url');
  let warn: jest.SpyInstance;
  let nodeEnv: string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    const { tables } = READ_ONLY_ACCOUNTS.find((a) => a.app === 'im-core')!;
    await ensureReadOnlyAccount(db.dataSource, db.name, { user, host: '%', password, tables });
    nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
  });

  beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  afterAll(async () => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    try {
      await db?.dataSource.query('DROP USER IF EXISTS ?@?', [user, '%']);
    } finally {
      await db?.drop();
    }
  });

  // The settings checked as the tests' (the owner's empty password passes); the app then runs as in production.
  const chatAs = (account: Record<string, string>) =>
    new ChatDatabase(validateEnv(DatabaseEnv, { ...process.env, NODE_ENV: 'test', DB_NAME: db.name, ...account }));
  const warnings = (): string[] => warn.mock.calls.map((c) => String(c[0]));

  it('with the owner account: one warning, on connecting, naming the way out', async () => {
    const chat = chatAs({});
    await chat.query('SELECT 1');
    await chat.query('SELECT 1');
    await chat.onApplicationShutdown();
    expect(warnings().filter((w) => w.includes('holds more than SELECT on t_living_room'))).toHaveLength(1);
    expect(warnings()[0]).toContain('npm run migrate -- accounts');
  });

  it('with its read-only account: no warning, and the room question answered', async () => {
    const chat = chatAs({ DB_USER: user, DB_PASSWORD: password });
    await expect(new LivingRoomReader(chat).isLive(1)).resolves.toBe(false);
    await chat.onApplicationShutdown();
    expect(warnings()).toEqual([]);
  });
});
