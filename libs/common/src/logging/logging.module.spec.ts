import pino from 'pino';
import { Writable } from 'node:stream';
import { LazyRequestLogger } from './logging.module';

/** A pino root writing its lines (parsed) into `lines`, with the app's redaction of tokens. */
function rootInto(lines: Record<string, unknown>[], level = 'info') {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ name: 'test', level, redact: ['*.token'] }, sink);
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LazyRequestLogger (the request logger when the access log is off)', () => {
  it('binds the request (id, method, url) to the lines written during it, and nothing else of it', async () => {
    const lines: Record<string, unknown>[] = [];
    const req = { id: 'req-7', method: 'POST', url: '/gift/send', headers: { authorization: 'Bearer secret' } };
    const log = new LazyRequestLogger(rootInto(lines), req);
    log.warn({ context: 'GiftSendService', user: { token: 'abc' } }, 'refused');
    await flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      name: 'test',
      req: { id: 'req-7', method: 'POST', url: '/gift/send' },
      context: 'GiftSendService',
      user: { token: '[Redacted]' },
      msg: 'refused',
    });
    expect(JSON.stringify(lines[0])).not.toContain('secret');
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
