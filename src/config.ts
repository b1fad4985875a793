import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parsePayloadKeys } from './temporal/payloadCodec';
import { TEMPLATE_SYNC_SCHEDULE_ID } from '../workflows/shared';

/** HighLevel's published Ed25519 key for X-GHL-Signature (Webhook Integration Guide). */
export const HIGHLEVEL_PUBLISHED_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=
-----END PUBLIC KEY-----`;

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = z.string().trim().url().transform((value) => value.replace(/\/+$/, ''));

const port = z.coerce.number().int().min(0).max(65535);

const duration = z.coerce.number().int().min(1);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: url.optional(),
  DATABASE_URL: url.default('postgres://postgres@127.0.0.1:5432/ghl_whatsapp'),
  DATA_DIR: z.string().default(path.join(os.homedir(), '.local', 'share', 'ghl-whatsapp')),

  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('ghl-whatsapp'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  /** Where the console links a message's workflow; default the embedded dev server's Web UI on TEMPORAL_UI_PORT. */
  TEMPORAL_UI_URL: url.optional(),
  /** The worker's Prometheus /metrics (the Temporal SDK's exporter). */
  WORKER_METRICS_PORT: port.default(9464),
  /**
   * Workflow payload encryption: `kid1:base64key,kid0:base64key`, the first encrypts, all decrypt (rotation).
   * Required in production; otherwise a development key is generated in DATA_DIR.
   */
  PAYLOAD_KEYS: optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      parsePayloadKeys(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
  /** Browser origins (comma-separated) of the Temporal Web UI allowed to call /codec; default the embedded UI's. */
  CODEC_CORS_ORIGINS: optionalString,

  HIGHLEVEL_API_BASE_URL: url.default('https://services.leadconnectorhq.com'),
  HIGHLEVEL_WEBHOOK_PUBLIC_KEY: z.string().min(1).default(HIGHLEVEL_PUBLISHED_PUBLIC_KEY),
  HIGHLEVEL_CLIENT_ID: optionalString,
  HIGHLEVEL_CLIENT_SECRET: optionalString,

  WHATSAPP_GRAPH_BASE_URL: url.default('https://graph.facebook.com/v23.0'),
  META_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,

  TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),

  ADMIN_TOKEN: optionalString,
  ENCRYPTION_KEY: optionalString.refine(
    (value) => value === undefined || Buffer.from(value, 'base64').length === 32,
    'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
  ),

  /** auto: run the loopback simulators when no real HighLevel/Meta credentials are configured. */
  SIMULATORS: z.enum(['auto', 'on', 'off']).default('auto'),

  /** Workflow timing defaults, per location overridable; small values make tests fast. */
  RECEIPT_TIMEOUT_SECONDS: duration.default(600),
  /** How often the Temporal Schedule re-syncs every location's approved templates. */
  TEMPLATE_SYNC_INTERVAL_MINUTES: duration.default(360),
  /** One schedule per deployment sharing a namespace (tests give each run its own). */
  TEMPLATE_SYNC_SCHEDULE_ID: z.string().min(1).default(TEMPLATE_SYNC_SCHEDULE_ID),
  LATE_RECEIPT_WINDOW_SECONDS: duration.default(24 * 3600),
  /**
   * How long a retried send waits for a receipt proving its lost predecessor before sending (never twice). Meta and
   * Twilio report `sent` within seconds; the bound also covers our webhook answering 503 for a while.
   */
  SEND_RECONCILE_WAIT_SECONDS: duration.default(60),
  /** How long a message of a paused sender is held before it fails (per location: settings.heldMaxAgeSeconds). */
  HELD_MAX_AGE_SECONDS: duration.default(24 * 3600),
  /** Replays and releases (src/replay): messages started per second and at once, so live traffic keeps its share. */
  REPLAY_RATE_PER_SECOND: duration.default(5),
  REPLAY_CONCURRENCY: duration.default(2),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_BASE_URL: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a bad value fails with the variable's name and the reason. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = result.data;
  return {
    ...config,
    PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${config.PORT}`,
  };
}

/** True when no real third-party credentials are configured: the embedded default uses the simulators. */
export function wantsSimulators(config: Config): boolean {
  if (config.SIMULATORS !== 'auto') return config.SIMULATORS === 'on';
  return !config.HIGHLEVEL_CLIENT_ID && !config.META_APP_SECRET;
}
