import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** No Docker engine here: the deployment files are at least checked for what they must say. */
const root = path.join(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Record<string, any>> };

  it('docker-compose.yml restarts and health-checks the api and the worker, and gives them the secrets they need', () => {
    for (const name of ['api', 'worker']) {
      const service = compose.services[name];
      expect(service?.restart).toBe('unless-stopped');
      expect(service?.healthcheck?.test).toEqual(expect.arrayContaining(['CMD']));
      expect(Object.keys(service?.environment ?? {})).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PAYLOAD_KEYS', 'ENCRYPTION_KEY', 'ADMIN_TOKEN']));
    }
  });

  it('Prometheus scrapes the api and the worker where they serve metrics', () => {
    expect(compose.services.prometheus?.profiles).toEqual(['metrics']);
    const prometheus = parse(read('deploy/prometheus.yml')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    expect(prometheus.scrape_configs.flatMap((job) => job.static_configs.flatMap((config) => config.targets))).toEqual(['api:3000', 'worker:9464']);
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/message-flow.json')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    expect(dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join(' ')).toMatch(/ghlwa_delivery_ack_seconds_bucket/);
  });

  it('the Dockerfile prebuilds the workflow bundle, runs as a non-root user and checks health', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/bundleWorkflows\.js dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toMatch(/^FROM node:24/m);
  });
});
