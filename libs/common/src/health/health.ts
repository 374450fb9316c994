import { withDeadline } from '../async';
import { Public } from '../auth';
import {
  Controller,
  DynamicModule,
  Get,
  HttpStatus,
  Inject,
  Injectable,
  Module,
  ModuleMetadata,
  Optional,
  Req,
  Res,
  Type,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { configProvider, Secret } from '../config';
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

/**
 * Figures other modules add to the full /health report (never to a public port's status-only answer):
 * startApp adds `rpc: { served }` to an app with an RPC listener, RpcClientsModule adds `rpcClients`.
 */
@Injectable()
export class HealthDetails {
  private readonly sources = new Map<string, () => unknown>();

  add(name: string, read: () => unknown): void {
    this.sources.set(name, read);
  }

  read(): Record<string, unknown> {
    return Object.fromEntries([...this.sources].map(([name, read]) => [name, read()]));
  }
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
export const HEALTH_APP_NAME = Symbol('HEALTH_APP_NAME');
export const HEALTH_PUBLIC_PORT = Symbol('HEALTH_PUBLIC_PORT');
/** The header that carries HEALTH_DETAILS_TOKEN (`Authorization: Bearer <token>` works too, as Prometheus sends it). */
export const HEALTH_TOKEN_HEADER = 'x-health-token';

/** Who may read the details of /health on a public port. */
export class HealthEnv {
  /**
   * The operators' token: on a public port, /health's full report (which dependency is down, the error)
   * and the gateway's /metrics need it, in `x-health-token` or as `Authorization: Bearer`. Unset: public
   * ports answer /health's status only, and /metrics not at all. Internal ports always answer /health whole.
   */
  @Secret({ optional: true })
  @IsOptional()
  @IsString()
  HEALTH_DETAILS_TOKEN?: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Whether a request carries the operators' token (HEALTH_DETAILS_TOKEN): compared as digests, in constant time. */
@Injectable()
export class OperatorAccess {
  private readonly token: Buffer | null;

  constructor(env: HealthEnv) {
    this.token = env.HEALTH_DETAILS_TOKEN ? digest(env.HEALTH_DETAILS_TOKEN) : null;
  }

  allows(headers: Record<string, string | string[] | undefined>): boolean {
    if (this.token === null) return false;
    const bearer =
      typeof headers.authorization === 'string' ? /^Bearer (.+)$/i.exec(headers.authorization)?.[1] : undefined;
    return [headers[HEALTH_TOKEN_HEADER], bearer].some(
      (given) => typeof given === 'string' && timingSafeEqual(digest(given), this.token!),
    );
  }
}
const CHECK_TIMEOUT_MS = 3_000;

async function probe(indicator: HealthIndicator): Promise<HealthReport['checks'][string]> {
  const started = Date.now();
  try {
    await withDeadline(indicator.check(), CHECK_TIMEOUT_MS, () => new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`));
    return { status: 'up', ms: Date.now() - started };
  } catch (err: unknown) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err), ms: Date.now() - started };
  }
}

export async function runHealthChecks(app: string, indicators: HealthIndicator[]): Promise<HealthReport> {
  const results = await Promise.all(indicators.map(async (i) => [i.name, await probe(i)] as const));
  const checks = Object.fromEntries(results);
  const status = results.every(([, r]) => r.status === 'up') ? 'up' : 'down';
  return { status, app, uptimeSeconds: Math.round(process.uptime()), checks };
}

@Public()
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    @Inject(HEALTH_APP_NAME) private readonly app: string,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[],
    @Inject(HEALTH_PUBLIC_PORT) private readonly publicPort: boolean,
    private readonly operators: OperatorAccess,
    @Optional() private readonly details?: HealthDetails,
  ) {}

  /**
   * Liveness + readiness: 200 when every dependency answers, 503 (same envelope) when one does not.
   * On a public port (the gateway's, im-core's) the answer is the status only, `{ status }`, unless the
   * caller sends HEALTH_DETAILS_TOKEN in `x-health-token`; internal ports answer the whole report, with
   * the figures of HealthDetails (`rpc.served`, `rpcClients`).
   */
  @ApiOperation({ summary: 'Liveness and readiness: 200 when every dependency answers, 503 when one does not' })
  @ApiHeader({
    name: HEALTH_TOKEN_HEADER,
    required: false,
    description: "the operators' HEALTH_DETAILS_TOKEN: the whole report instead of the status only (public ports)",
    schema: { type: 'string', example: 'operator-token' },
  })
  @Get('health')
  async health(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const report = { ...(await runHealthChecks(this.app, this.indicators)), ...this.details?.read() };
    const status = report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    const data = !this.publicPort || this.operators.allows(request.headers) ? report : { status: report.status };
    const body = report.status === 'up' ? ApiResponses.ok(data) : { code: 100503, msg: 'unhealthy', data };
    void reply.status(status).send(body);
  }
}

export interface HealthModuleOptions {
  app: string;
  /** The app's HTTP port is public (the gateway, im-core's WebSocket port): /health answers the status only. */
  publicPort?: boolean;
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
        { provide: HEALTH_PUBLIC_PORT, useValue: options.publicPort ?? false },
        configProvider(HealthEnv),
        OperatorAccess,
        HealthDetails,
        {
          provide: HEALTH_INDICATORS,
          useFactory: (...indicators: HealthIndicator[]) => indicators,
          inject: options.indicators,
        },
      ],
      exports: [OperatorAccess, HealthDetails],
    };
  }
}
