import Fastify from 'fastify';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { storage } from 'nestjs-pino/storage';
import { appLogOptions, LazyRequestLogger, requestLogContext, requestLogRoot } from './logging.module';

/** A pino root writing its lines (parsed) into `lines`, with the app's redaction of tokens. */
function rootInto(lines: Record<string, unknown>[], level = 'info') {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  // The app's own options (redaction, the req serializer); the level as the test asks.
  return requestLogRoot({ ...appLogOptions('test'), level }, sink);
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LazyRequestLogger (the request logger when the access log is off)', () => {
  it('binds the request (id, method, url) to the lines written during it, and nothing else of it', async () => {
    const lines: Record<string, unknown>[] = [];
    const req = { id: 'req-7', method: 'POST', url: '/gift/send', headers: { authorization: 'Bearer secret' } };
    const log = new LazyRequestLogger(rootInto(lines), req);
    log.warn({ context: 'GiftSendService', user: { token: 'abc', password: 'pw' } }, 'refused');
    // A request given to a line is written as its id, method and url (no headers); a cookie being set is redacted.
    log.warn({ req, res: { headers: { 'set-cookie': 'qytk=secret' } } }, 'headers');
    await flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      req: { id: 'req-7', method: 'POST', url: '/gift/send' },
      res: { headers: { 'set-cookie': '[Redacted]' } },
    });
    expect(lines[1].req).toEqual({ id: 'req-7', method: 'POST', url: '/gift/send' });
    expect(lines[0]).toMatchObject({
      level: 40,
      name: 'test',
      req: { id: 'req-7', method: 'POST', url: '/gift/send' },
      context: 'GiftSendService',
      user: { token: '[Redacted]', password: '[Redacted]' },
      msg: 'refused',
    });
    expect(JSON.stringify(lines)).not.toMatch(/secret|abc|"pw"/);
  });

  it('makes the bound child on the first line only (none for a request that writes nothing or only disabled levels)', () => {
    const lines: Record<string, unknown>[] = [];
    const root = rootInto(lines, 'info');
    const child = jest.spyOn(root, 'child');
    const log = new LazyRequestLogger(root, { id: 'req-8', method: 'GET', url: '/health' });
    log.debug('not written at info');
    log.trace('nor this');
    expect(child).not.toHaveBeenCalled();
    log.info('one');
    log.error('two');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it("answers the root's level, and assign() (PinoLogger.assign) gets a child of the bound logger", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = new LazyRequestLogger(rootInto(lines, 'warn'), { id: 'req-9', method: 'GET', url: '/x' });
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    log.child({ userId: 5 }).warn('assigned');
    await flush();
    expect(lines[0]).toMatchObject({ req: { id: 'req-9' }, userId: 5, msg: 'assigned' });
  });
});

describe('requestLogContext (the Fastify onRequest hook)', () => {
  it("gives each request its own logger, bound to Fastify's request id, that reaches the handler after a slow body", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = Fastify();
    app.addHook('onRequest', requestLogContext({ root: rootInto(lines) }));
    app.post('/slow', async (request) => {
      storage.getStore()?.logger.info({ got: request.body }, 'handled');
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    // The body arrives in two parts 50 ms apart: the handler runs in the parser's callback, not the hook's.
    const post = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            method: 'POST',
            path: '/slow',
            headers: { 'content-type': 'application/json', 'content-length': 10 },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write('{"a":');
        setTimeout(() => req.end('1234}'), 50);
      });
    try {
      expect(await Promise.all([post(), post()])).toEqual([200, 200]);
      await flush();
      const handled = lines.filter((l) => l.msg === 'handled');
      expect(handled).toHaveLength(2);
      for (const l of handled) expect(l).toMatchObject({ req: { method: 'POST', url: '/slow' }, got: { a: 1234 } });
      const ids = handled.map((l) => (l.req as { id: string }).id);
      expect(new Set(ids).size).toBe(2);
      expect(ids.every((id) => /^req-/.test(id))).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('does nothing when the app has no lazy root (LOG_HTTP=1: pino-http binds the request)', async () => {
    const app = Fastify();
    app.addHook('onRequest', requestLogContext({}));
    app.get('/x', async () => ({ store: storage.getStore() === undefined ? 'none' : 'some' }));
    const answer = await app.inject({ method: 'GET', url: '/x' });
    expect(answer.json()).toEqual({ store: 'none' });
    await app.close();
  });
});
