import { Module } from '@nestjs/common';
import { BenchController } from './bench.controller';

/**
 * The benchmark baselines (/bench/*). Imported only by ApiGatewayModule.register() when
 * GATEWAY_BENCH_ROUTES=true: a production gateway does not load it, so the routes do not exist there.
 */
@Module({ controllers: [BenchController] })
export class BenchModule {}
