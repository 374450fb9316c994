import { HttpExceptionFilter } from '@live/common';
import { createTestDatabase, uniqueName } from '@live/testing';
import { Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ApiGatewayModule } from '../apps/api-gateway/src/api-gateway.module';
import { BankServiceModule } from '../apps/bank-service/src/bank-service.module';
import { GiftServiceModule } from '../apps/gift-service/src/gift-service.module';
import { ImCoreModule } from '../apps/im-core/src/im-core.module';
import { ImRouterModule } from '../apps/im-router/src/im-router.module';

/** Each app's module wires up against the real MariaDB, Redis and Kafka, and its /health says so. */
describe('every app answers /health on the real servers', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const detailsToken = randomBytes(32).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, {
      DB_NAME: db.name,
      REDIS_KEY_PREFIX: uniqueName('health'),
      LOG_LEVEL: 'warn',
      HEALTH_DETAILS_TOKEN: detailsToken,
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  // [app, module, dependencies, whether its HTTP port is public (the status only without the token), the services it calls]
  const apps: [string, Type<unknown>, string[], boolean, string[]][] = [
    ['api-gateway', ApiGatewayModule, ['mysql', 'redis', 'kafka'], true, ['bank-service', 'gift-service', 'im-router']],
    ['gift-service', GiftServiceModule, ['mysql', 'redis', 'kafka'], false, ['bank-service', 'im-router']],
    ['bank-service', BankServiceModule, ['mysql', 'redis'], false, []],
    ['im-router', ImRouterModule, ['redis'], false, []],
    // im-core calls im-router for chat messages (a room's nodes get them as gift effects do), gift-service
    // when a PK challenger's session ends.
    ['im-core', ImCoreModule, ['redis'], true, ['gift-service', 'im-router']],
  ];

  it.each(apps)('%s', async (name, module, deps, publicPort, calls) => {
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new HttpExceptionFilter());
    await app.listen(0, '127.0.0.1');
    try {
      const plain = await fetch(`${await app.getUrl()}/health`);
      const plainBody = (await plain.json()) as { code: number; data: Record<string, unknown> };
      const wrongToken = (await (
        await fetch(`${await app.getUrl()}/health`, { headers: { 'x-health-token': 'not-the-token' } })
      ).json()) as typeof plainBody;
      if (publicPort) {
        // A public port tells anyone whether the app is up, nothing more (no dependency names, no errors).
        expect([plain.status, plainBody]).toEqual([200, { code: 200, msg: 'success', data: { status: 'up' } }]);
        expect(wrongToken).toEqual(plainBody);
      } else {
        expect(Object.keys(plainBody.data.checks as object).sort()).toEqual([...deps].sort());
      }
      const res = await fetch(`${await app.getUrl()}/health`, { headers: { 'x-health-token': detailsToken } });
      const body = (await res.json()) as {
        code: number;
        data: {
          status: string;
          app: string;
          checks: Record<string, { status: string }>;
          rpcClients?: Record<string, Record<string, number>>;
        };
      };
      expect(res.status).toBe(200);
      expect(body.code).toBe(200);
      expect(body.data.app).toBe(name);
      expect(body.data.status).toBe('up');
      expect(Object.keys(body.data.checks).sort()).toEqual([...deps].sort());
      // A caller counts the calls each instance of each service answered (none yet; one address each by default).
      expect(Object.keys(body.data.rpcClients ?? {}).sort()).toEqual(calls);
      for (const service of calls) expect(Object.values(body.data.rpcClients![service])).toEqual([0]);
      if (publicPort) expect(plainBody.data.rpcClients).toBeUndefined();
      // im-core counts its per-socket structures for operators (issue 23: all 0 with no socket open).
      if (name === 'im-core')
        expect((body.data as { connections?: object }).connections).toEqual({
          sockets: 0,
          connections: 0,
          users: 0,
          rooms: 0,
          pendingMessages: 0,
          pendingBytes: 0,
          dedupScopes: 0,
          sessionSockets: 0,
        });
      const missing = await fetch(`${await app.getUrl()}/no-such-route`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ code: 100004, msg: 'not found', data: null });
    } finally {
      await app.close();
    }
  });
});
