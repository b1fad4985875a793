import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The api's Prometheus metrics (GET /metrics): one registry per app, so several apps in one process stay apart. */
export class ApiMetrics {
  readonly registry = new Registry();
  /** Every answered request by route template (never the raw URL: no ids or numbers in labels), method and status. */
  readonly requests = new Counter({
    name: 'ghlwa_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code (503: Temporal or PostgreSQL unavailable)',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  /** How long HighLevel waits for the Delivery URL's answer. */
  readonly deliveryAck = new Histogram({
    name: 'ghlwa_delivery_ack_seconds',
    help: 'Delivery URL answer time, by status code',
    labelNames: ['status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly workflowStarts = new Counter({
    name: 'ghlwa_workflow_starts_total',
    help: 'Workflows started by the api, by workflow type',
    labelNames: ['workflow'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ghlwa_api_' });
  }

  workflowStarted(workflow: string): void {
    this.workflowStarts.inc({ workflow });
  }
}
