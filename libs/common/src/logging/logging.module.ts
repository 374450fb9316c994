import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { storage, Store } from 'nestjs-pino/storage';
import pino, { Logger as PinoRoot, LoggerOptions } from 'pino';

/** A request as the log lines written during it carry it (no access log: the headers are left out). */
function requestLine(req: { id?: unknown; method?: string; url?: string }): Record<string, unknown> {
  return { id: req.id, method: req.method, url: req.url };
}

/** Credentials never reach the log. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
];

/**
 * The logger of one request, as the log lines written during it use it (nestjs-pino's PinoLogger reads it from
 * its async-local store): the pino child bound to the request ({ req: { id, method, url } }) is made on the
 * first line only. pino-http made it for every request (the binding serialized, redacted and stringified at
 * once: a tenth of the gateway's CPU for a no-op POST), though most requests write no line at all.
 */
export class LazyRequestLogger {
  private bound: PinoRoot | undefined;

  constructor(
    private readonly root: PinoRoot,
    private readonly req: { id?: unknown; method?: string; url?: string },
  ) {}

  get level(): string {
    return this.root.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.root.isLevelEnabled(level);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  /** PinoLogger.assign: a child of the request's logger with more fields. */
  child(bindings: Record<string, unknown>): PinoRoot {
    return this.logger().child(bindings);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', args: unknown[]): void {
    if (this.root.isLevelEnabled(level)) this.logger()[level](...(args as [string]));
  }

  private logger(): PinoRoot {
    return (this.bound ??= this.root.child({ req: requestLine(this.req) }));
  }
}

/** The root logger when the access log is off (LoggingModule.forApp sets it): requestLogContext's parent. */
let lazyRoot: PinoRoot | undefined;
let requestCounter = 0;

/**
 * Fastify onRequest hook (startApp adds it to every app): the rest of the request runs with a
 * LazyRequestLogger in nestjs-pino's store (the async context flows on, as from nestjs-pino's own middleware,
 * which middie also ran at onRequest). With the access log on, pino-http's middleware does this instead.
 */
export function requestLogContext(
  request: { raw: IncomingMessage & { id?: unknown } },
  _reply: unknown,
  done: () => void,
): void {
  if (!lazyRoot) return done();
  const req = request.raw;
  req.id ??= `req-${(++requestCounter).toString(36)}`;
  storage.run(new Store(new LazyRequestLogger(lazyRoot, req) as unknown as PinoRoot), done);
}

/**
 * Structured JSON logs (pino) for one app: `LOG_LEVEL` (default info), `LOG_PRETTY=1` for humans.
 * Credentials never reach the log: authorization headers, cookies and tokens are redacted.
 * `LOG_HTTP=1`: an access log line per request (pino-http, the headers included and redacted); otherwise the
 * lines written during a request carry its id, method and url, bound when the first one is written.
 */
@Module({})
export class LoggingModule {
  static forApp(app: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        // Read when the module is built (not when the file is imported), so the environment at start-up wins.
        LoggerModule.forRootAsync({
          useFactory: () => {
            const pretty = process.env.LOG_PRETTY === '1' || process.env.LOG_PRETTY === 'true';
            const options: LoggerOptions = {
              name: app,
              level: process.env.LOG_LEVEL ?? 'info',
              redact: REDACT,
              transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            };
            if (process.env.LOG_HTTP === '1') {
              lazyRoot = undefined;
              return { pinoHttp: { ...options, autoLogging: true } };
            }
            // No access log: nestjs-pino's own middleware (pino-http) is bound to no route; requestLogContext
            // puts a LazyRequestLogger in nestjs-pino's store for each request.
            lazyRoot = pino(options);
            return { pinoHttp: { logger: lazyRoot }, useExisting: true, forRoutes: [] };
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
