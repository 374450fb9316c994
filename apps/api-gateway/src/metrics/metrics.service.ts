import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus metrics (GET /metrics): requests, latencies, gifts accepted, Kafka produce errors. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpLatency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly giftsAccepted = new Counter({
    name: 'gifts_accepted_total',
    help: 'Gifts accepted by POST /gift/send and produced to send_gift',
    registers: [this.registry],
  });
  readonly giftsRefused = new Counter({
    name: 'gifts_refused_total',
    help: 'Gifts refused by POST /gift/send before Kafka, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly kafkaProduceErrors = new Counter({
    name: 'kafka_produce_errors_total',
    help: 'send_gift produce calls that failed (the client got 503)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpLatency.observe({ method, route }, seconds);
  }
}
