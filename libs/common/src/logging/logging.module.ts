import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

/** A request as the log lines written during it carry it (no access log: the headers are left out). */
function requestLine(req: { id?: unknown; method?: string; url?: string }): Record<string, unknown> {
  return { id: req.id, method: req.method, url: req.url };
}

/**
 * Structured JSON logs (pino) for one app: `LOG_LEVEL` (default info), `LOG_PRETTY=1` for humans.
 * Credentials never reach the log: authorization headers, cookies and tokens are redacted.
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
            const accessLog = process.env.LOG_HTTP === '1';
            return {
              pinoHttp: {
                name: app,
                level: process.env.LOG_LEVEL ?? 'info',
                autoLogging: accessLog,
                // Every request gets a child logger bound to its request, serialized at once; without the
                // access log only the id, method and url (headers and their redaction cost a tenth of a send).
                serializers: accessLog ? undefined : { req: requestLine },
                redact: [
                  'req.headers.authorization',
                  'req.headers.cookie',
                  'res.headers["set-cookie"]',
                  '*.token',
                  '*.password',
                ],
                transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
              },
            };
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
