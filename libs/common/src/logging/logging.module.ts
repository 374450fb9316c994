import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { storage, Store } from 'nestjs-pino/storage';
import pino, { DestinationStream, Logger as PinoRoot, LoggerOptions } from 'pino';

/** A request as the log lines written during it carry it (no access log: the headers are left out). */
function requestLine(req: { id?: unknown; method?: string; url?: string }): Record<string, unknown> {
  return { id: req.id, method: req.method, url: req.url };
}

/** Credentials never reach the log. */
export const LOG_REDACT = [
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

/**
 * Where an app's request logger comes from (LoggingModule.forApp provides one per app, under REQUEST_LOG_ROOT):
 * the root logger when the access log is off, unset when pino-http does it (LOG_HTTP=1).
 */
export interface RequestLogRoot {
  root?: PinoRoot;
}
export const REQUEST_LOG_ROOT = Symbol('REQUEST_LOG_ROOT');

/**
 * The Fastify onRequest hook of an app (startApp adds it): the rest of the request runs with a
 * LazyRequestLogger in nestjs-pino's store (the async context flows on through the body's parsing to the
 * handler, as from nestjs-pino's own middleware, which middie also ran at onRequest); its id is Fastify's
 * request id. Nothing when the app's access log is on: pino-http's middleware does it then.
 */
export function requestLogContext(holder: RequestLogRoot) {
  return (
    request: { id: string; raw: IncomingMessage & { id?: unknown } },
    _reply: unknown,
    done: () => void,
  ): void => {
    const root = holder.root;
    if (!root) return done();
    const req = request.raw;
    req.id ??= request.id;
    storage.run(new Store(new LazyRequestLogger(root, req) as unknown as PinoRoot), done);
  };
}

/** An app's pino options from the environment (LOG_LEVEL, LOG_PRETTY): its name, the level, the redaction. */
export function appLogOptions(app: string): LoggerOptions {
  const pretty = process.env.LOG_PRETTY === '1' || process.env.LOG_PRETTY === 'true';
  return {
    name: app,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: LOG_REDACT,
    transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  };
}

/**
 * The root of an app's request loggers when the access log is off: a `req` given to a line or a binding is
 * written as its id, method and url only (as pino-http's serializer did). `destination`: for tests.
 */
export function requestLogRoot(options: LoggerOptions, destination?: DestinationStream): PinoRoot {
  const rootOptions = { ...options, serializers: { req: requestLine } };
  return destination ? pino(rootOptions, destination) : pino(rootOptions);
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
    // This app's own (several apps may run in one process: the test stacks).
    const holder: RequestLogRoot = {};
    return {
      module: LoggingModule,
      imports: [
        // Read when the module is built (not when the file is imported), so the environment at start-up wins.
        LoggerModule.forRootAsync({
          useFactory: () => {
            const options = appLogOptions(app);
            if (process.env.LOG_HTTP === '1') {
              holder.root = undefined;
              return { pinoHttp: { ...options, autoLogging: true } };
            }
            // No access log: nestjs-pino's own middleware (pino-http) is bound to no route; requestLogContext
            // puts a LazyRequestLogger in nestjs-pino's store for each request.
            holder.root = requestLogRoot(options);
            return { pinoHttp: { logger: holder.root }, useExisting: true, forRoutes: [] };
          },
        }),
      ],
      providers: [{ provide: REQUEST_LOG_ROOT, useValue: holder }],
      exports: [LoggerModule, REQUEST_LOG_ROOT],
    };
  }
}
