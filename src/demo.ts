import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';
import type { Runtime } from './runtime';
import { HighLevelTokenStore } from './providers/highlevel/tokenStore';
import { upsertLocation } from './store/locations';
import { HighLevelSimulator, MetaSimulator, TwilioSimulator } from '@ghl-whatsapp/simulators';

/** Fixed ports make the demo commands copy-pasteable; a busy port falls back to any free one. */
const PORTS = { highLevel: 4010, meta: 4020, twilio: 4030 };

export const DEMO = {
  locationId: 'demo-location',
  metaAppSecret: 'demo-meta-app-secret',
  verifyToken: 'demo-verify-token',
  adminToken: 'demo-admin-token',
  whatsApp: { accessToken: 'demo-wa-token', wabaId: 'demo-waba', phoneNumberId: 'demo-phone-number-id', displayPhoneNumber: '15550100001' },
  twilio: { accountSid: 'AC00000000000000000000000000000001', authToken: 'demo-twilio-auth-token', smsFrom: '+15550100002' },
} as const;

/** Approved in the demo's WABA at every start; more through the Meta simulator's POST /_sim/templates (README, Demo). */
export const DEMO_TEMPLATES = [
  {
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY' as const,
    components: [
      { type: 'BODY', text: 'Hi {{1}}, this is a reminder of your appointment on {{2}} at {{3}}. Reply to confirm or reschedule.', example: { body_text: [['Ana', 'Tuesday', '10:30']] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }, { type: 'QUICK_REPLY', text: 'Reschedule' }] },
    ],
  },
  {
    name: 'order_ready',
    language: 'en_US',
    category: 'UTILITY' as const,
    components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} is ready for pickup.', example: { body_text: [['Ana', 'A-1042']] } }],
  },
];

/** What the simulators stand in for: a value the user set for any of these would be silently replaced, so it is refused. */
const REPLACED_BY_SIMULATORS = ['META_APP_SECRET', 'HIGHLEVEL_WEBHOOK_PUBLIC_KEY', 'HIGHLEVEL_API_BASE_URL', 'WHATSAPP_GRAPH_BASE_URL', 'TWILIO_API_BASE_URL'];

/** Set by the user and replaced by the simulators: the demo refuses to start rather than ignore them. */
export function simulatorConflicts(env: NodeJS.ProcessEnv): string[] {
  return REPLACED_BY_SIMULATORS.filter((name) => env[name] !== undefined && env[name] !== '');
}

/** The HighLevel simulator's signing key, kept in DATA_DIR so HIGHLEVEL_WEBHOOK_PUBLIC_KEY stays the same across starts. */
function demoWebhookKeyPair(dataDir: string): { privateKeyPem: string; publicKeyPem: string } {
  const file = path.join(dataDir, 'demo-highlevel-webhook-key.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { privateKeyPem: string; publicKeyPem: string };
  } catch {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const pair = { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(pair), { mode: 0o600 });
    return pair;
  }
}

export interface DemoSimulators {
  configOverrides: Partial<Config>;
  seed(runtime: Runtime, publicBaseUrl: string): Promise<void>;
  describe(publicBaseUrl: string): string[];
  stop(): Promise<void>;
}

async function onPreferredPort<T>(start: (port: number) => Promise<T>, port: number): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

/** The embedded default without real credentials: HighLevel, Meta and Twilio simulators on loopback. */
export async function startDemoSimulators(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<DemoSimulators> {
  const conflicts = simulatorConflicts(env);
  if (conflicts.length > 0) {
    throw new Error(
      `the simulators would replace ${conflicts.join(', ')}, which you set: unset ${conflicts.length > 1 ? 'them' : 'it'} to run the demo, or set SIMULATORS=off (with HIGHLEVEL_CLIENT_ID and real credentials) to use your own services`,
    );
  }
  const highLevel = await onPreferredPort((port) => HighLevelSimulator.start({ port, webhookKeyPair: demoWebhookKeyPair(config.DATA_DIR) }), PORTS.highLevel);
  const meta = await onPreferredPort(
    (port) => MetaSimulator.start({ port, appSecret: DEMO.metaAppSecret, autoRead: true, receiptDelayMs: 800, webhookUrl: `${config.PUBLIC_BASE_URL}/webhooks/whatsapp`, accounts: [DEMO.whatsApp] }),
    PORTS.meta,
  );
  const twilio = await onPreferredPort((port) => TwilioSimulator.start({ port, accounts: [{ accountSid: DEMO.twilio.accountSid, authToken: DEMO.twilio.authToken }] }), PORTS.twilio);
  for (const template of DEMO_TEMPLATES) meta.upsertTemplate(DEMO.whatsApp.wabaId, template);

  return {
    configOverrides: {
      HIGHLEVEL_API_BASE_URL: highLevel.baseUrl,
      HIGHLEVEL_WEBHOOK_PUBLIC_KEY: highLevel.deliveryCaller.publicKeyPem,
      WHATSAPP_GRAPH_BASE_URL: meta.baseUrl,
      META_APP_SECRET: DEMO.metaAppSecret,
      WHATSAPP_VERIFY_TOKEN: config.WHATSAPP_VERIFY_TOKEN ?? DEMO.verifyToken,
      TWILIO_API_BASE_URL: twilio.baseUrl,
      ADMIN_TOKEN: config.ADMIN_TOKEN ?? DEMO.adminToken,
    },
    async seed(runtime) {
      await upsertLocation(runtime.db, {
        id: DEMO.locationId,
        name: 'Demo sub-account (simulators)',
        whatsapp_backend: 'cloud',
        whatsapp_phone_number_id: DEMO.whatsApp.phoneNumberId,
        whatsapp_waba_id: DEMO.whatsApp.wabaId,
        whatsapp_access_token_enc: runtime.box.encrypt(DEMO.whatsApp.accessToken),
        twilio_account_sid: DEMO.twilio.accountSid,
        twilio_auth_token_enc: runtime.box.encrypt(DEMO.twilio.authToken),
        twilio_sms_from: DEMO.twilio.smsFrom,
        settings: { receiptTimeoutSeconds: 60, lateReceiptWindowSeconds: 600 },
      });
      const grant = highLevel.issueLocationToken(DEMO.locationId);
      await new HighLevelTokenStore(runtime.db, runtime.box, { baseUrl: highLevel.baseUrl }).store(DEMO.locationId, {
        access_token: grant.access_token,
        refresh_token: grant.refresh_token,
        expires_in: grant.expires_in,
      });
    },
    describe(publicBaseUrl) {
      const json = "-H 'content-type: application/json'";
      const adminToken = config.ADMIN_TOKEN ?? DEMO.adminToken;
      return [
        `[simulators] no real credentials configured: HighLevel ${highLevel.baseUrl}, WhatsApp Cloud API ${meta.baseUrl}, Twilio ${twilio.baseUrl}`,
        `[simulators] demo secrets: META_APP_SECRET=${DEMO.metaAppSecret}, WHATSAPP_VERIFY_TOKEN=${config.WHATSAPP_VERIFY_TOKEN ?? DEMO.verifyToken}, ` +
          `HighLevel webhook key in ${path.join(config.DATA_DIR, 'demo-highlevel-webhook-key.json')}, ADMIN_TOKEN=${adminToken === DEMO.adminToken ? DEMO.adminToken : '(yours)'}`,
        `[simulators] demo location "${DEMO.locationId}" seeded; templates approved: ${DEMO_TEMPLATES.map((template) => template.name).join(', ')}`,
        'Try it (the README\'s "Demo" walks through the window, a template outside it, STOP, the SMS fallback and a replay):',
        '  1) a contact writes on WhatsApp (opens the 24-hour window):',
        `     curl -s -XPOST ${meta.origin}/_sim/inbound ${json} -d '{"from":"+15864603685","profileName":"Ana","type":"text","text":"Hi! Is my appointment still on?"}'`,
        '  2) HighLevel sends an SMS through this provider:',
        `     curl -s -XPOST ${highLevel.baseUrl}/_sim/outbound ${json} -d '{"deliveryUrl":"${publicBaseUrl}/webhooks/highlevel/delivery","overrides":{"locationId":"${DEMO.locationId}","phone":"+15864603685","attachments":[]}}'`,
        `  3) watch the workflow in the Temporal UI, and what HighLevel received: curl -s ${highLevel.baseUrl}/_sim/state`,
      ];
    },
    async stop() {
      await Promise.all([highLevel.stop(), meta.stop(), twilio.stop()]);
    },
  };
}
