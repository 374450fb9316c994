import { BaseErrorCode, BizException, OperatorAccess } from '@live/common';
import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint (text exposition format, not the envelope: scrapers expect it raw). On this
 * public port it answers only the operators: HEALTH_DETAILS_TOKEN in `Authorization: Bearer` (Prometheus'
 * `authorization` setting) or `x-health-token`; anyone else gets 403 (counts of logins, failures and gifts
 * are nobody else's business).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly operators: OperatorAccess,
  ) {}

  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Req() request: FastifyRequest): Promise<string> {
    if (!this.operators.allows(request.headers))
      throw new BizException(
        BaseErrorCode.FORBIDDEN,
        'metrics are for operators: send HEALTH_DETAILS_TOKEN as a bearer token',
      );
    return this.metrics.registry.metrics();
  }
}
