import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

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
            return {
              pinoHttp: {
                name: app,
                level: process.env.LOG_LEVEL ?? 'info',
                autoLogging: process.env.LOG_HTTP === '1',
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
