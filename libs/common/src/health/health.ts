import { Public } from '../auth';
import { Controller, DynamicModule, Get, HttpStatus, Inject, Module, ModuleMetadata, Res, Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiResponses } from '../response';

/** One dependency a health check probes (database, Redis, Kafka...). check() throws when it is down. */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'up' | 'down';
  app: string;
  uptimeSeconds: number;
  checks: Record<string, { status: 'up' | 'down'; error?: string; ms: number }>;
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
export const HEALTH_APP_NAME = Symbol('HEALTH_APP_NAME');
const CHECK_TIMEOUT_MS = 3_000;

async function probe(indicator: HealthIndicator): Promise<HealthReport['checks'][string]> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      indicator.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', ms: Date.now() - started };
  } catch (err: unknown) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

export async function runHealthChecks(app: string, indicators: HealthIndicator[]): Promise<HealthReport> {
  const results = await Promise.all(indicators.map(async (i) => [i.name, await probe(i)] as const));
  const checks = Object.fromEntries(results);
  const status = results.every(([, r]) => r.status === 'up') ? 'up' : 'down';
  return { status, app, uptimeSeconds: Math.round(process.uptime()), checks };
}

@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(HEALTH_APP_NAME) private readonly app: string,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
  ) {}

  /** Liveness + readiness: 200 when every dependency answers, 503 (same envelope) when one does not. */
  @Get('health')
  async health(@Res() reply: FastifyReply): Promise<void> {
    const report = await runHealthChecks(this.app, this.indicators);
    const status = report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    const body = report.status === 'up' ? ApiResponses.ok(report) : { code: 100503, msg: 'unhealthy', data: report };
    void reply.status(status).send(body);
  }
}

export interface HealthModuleOptions {
  app: string;
  imports?: ModuleMetadata['imports'];
  indicators: Type<HealthIndicator>[];
}

@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_APP_NAME, useValue: options.app },
        {
          provide: HEALTH_INDICATORS,
          useFactory: (...indicators: HealthIndicator[]) => indicators,
          inject: options.indicators,
        },
      ],
    };
  }
}
