import type { FastifyReply, FastifyRequest } from 'fastify';
import { HealthController, HealthDetails, HealthEnv, HealthIndicator, OperatorAccess } from './health';

/** /health when a dependency is down: a public port says "down" and nothing else; the details need the token or an internal port. */
describe('HealthController on public and internal ports', () => {
  const token = 'a-health-details-token-of-32-bytes-or-more';
  const down: HealthIndicator = {
    name: 'mysql',
    check: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:3306')),
  };
  const up: HealthIndicator = { name: 'redis', check: () => Promise.resolve() };

  async function ask(
    publicPort: boolean,
    headers: Record<string, string> = {},
    indicators = [up, down],
  ): Promise<{ status: number; body: { code: number; msg: string; data: Record<string, unknown> } }> {
    const env = Object.assign(new HealthEnv(), { HEALTH_DETAILS_TOKEN: token });
    const details = new HealthDetails();
    details.add('rpc', () => ({ served: 42 }));
    details.add('rpcClients', () => ({ 'bank-service': { '127.0.0.1:9102': 5, '127.0.0.1:10102': 4 } }));
    const controller = new HealthController('api-gateway', indicators, publicPort, new OperatorAccess(env), details);
    const sent: { status: number; body: unknown } = { status: 0, body: null };
    const reply = {
      status(code: number) {
        sent.status = code;
        return this;
      },
      send(body: unknown) {
        sent.body = body;
        return this;
      },
    } as unknown as FastifyReply;
    await controller.health({ headers } as unknown as FastifyRequest, reply);
    return sent as { status: number; body: { code: number; msg: string; data: Record<string, unknown> } };
  }

  it('public port, no token or a wrong one: 503 and the status only', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-health-token': 'guess' }, { 'x-health-token': `${token}x` }];
    for (const headers of attempts) {
      expect(await ask(true, headers)).toEqual({
        status: 503,
        body: { code: 100503, msg: 'unhealthy', data: { status: 'down' } },
      });
    }
  });

  it('public port with the token, or an internal port: the whole report, naming what is down and why', async () => {
    for (const answer of [await ask(true, { 'x-health-token': token }), await ask(false)]) {
      expect(answer.status).toBe(503);
      expect(answer.body.data).toMatchObject({
        status: 'down',
        app: 'api-gateway',
        checks: { mysql: { status: 'down', error: 'connect ECONNREFUSED 10.0.0.7:3306' }, redis: { status: 'up' } },
      });
    }
  });

  it('the full report carries the RPC counts (rpc.served, rpcClients); a public port without the token does not', async () => {
    const internal = await ask(false, {}, [up]);
    expect(internal.status).toBe(200);
    expect(internal.body.data).toMatchObject({
      status: 'up',
      rpc: { served: 42 },
      rpcClients: { 'bank-service': { '127.0.0.1:9102': 5, '127.0.0.1:10102': 4 } },
    });
    expect((await ask(true, { 'x-health-token': token }, [up])).body.data).toMatchObject({ rpc: { served: 42 } });
    expect((await ask(true, {}, [up])).body.data).toEqual({ status: 'up' });
  });

  it('no token configured: a public port never shows details', async () => {
    const controller = new HealthController('im-core', [down], true, new OperatorAccess(new HealthEnv()));
    let body: unknown;
    const reply = { status: () => reply, send: (b: unknown) => ((body = b), reply) } as unknown as FastifyReply;
    await controller.health({ headers: { 'x-health-token': '' } } as unknown as FastifyRequest, reply);
    expect(body).toEqual({ code: 100503, msg: 'unhealthy', data: { status: 'down' } });
  });
});

describe('OperatorAccess (the operators token: /health details and /metrics on public ports)', () => {
  const token = 'operator-token-9f2c4e1a7b3d8f60c5e2a9b1';
  const access = new OperatorAccess(Object.assign(new HealthEnv(), { HEALTH_DETAILS_TOKEN: token }));

  it('takes the token in x-health-token or as a bearer token, nothing else', () => {
    expect(access.allows({ 'x-health-token': token })).toBe(true);
    expect(access.allows({ authorization: `Bearer ${token}` })).toBe(true);
    expect(access.allows({})).toBe(false);
    expect(access.allows({ 'x-health-token': `${token}x` })).toBe(false);
    expect(access.allows({ authorization: token })).toBe(false);
    expect(access.allows({ authorization: 'Bearer someone-else' })).toBe(false);
    expect(access.allows({ 'x-health-token': [token, token] })).toBe(false);
  });

  it('no token configured: nobody', () => {
    expect(new OperatorAccess(new HealthEnv()).allows({ 'x-health-token': '', authorization: 'Bearer ' })).toBe(false);
  });
});
