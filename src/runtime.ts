import type { ActivityDeps } from '../activities';
import type { Config } from './config';
import { createDb, ensureDatabaseExists, migrateToLatest, type Db } from './db/database';
import type { LocationRow } from './db/schema';
import { HighLevelClient } from './providers/highlevel/highLevelClient';
import { HighLevelTokenStore } from './providers/highlevel/tokenStore';
import { CloudApiClient } from './providers/meta/cloudApiClient';
import { templatesClientFor } from './providers/meta/templatesClient';
import { CloudApiInboundClient } from './providers/meta/mediaClient';
import { twilioTemplatesClientFor } from './providers/twilio/contentTemplatesClient';
import { TwilioInboundClient } from './providers/twilio/inboundClient';
import { TwilioMessagingClient } from './providers/twilio/messagingClient';
import type { InboundMessaging, MessageSender } from './providers/messagingPort';
import { SecretBox, resolveEncryptionKey } from './security/secretBox';
import { syncedContentFor } from './store/templates';
import { rememberingWhatsAppIds } from './store/whatsAppIds';

/** Shared by api, worker and the embedded default: database (created and migrated) and secret handling. */
export interface Runtime {
  config: Config;
  db: Db;
  box: SecretBox;
  activityDeps: ActivityDeps;
}

export async function createRuntime(config: Config, options: { createDatabase?: boolean } = {}): Promise<Runtime> {
  if (options.createDatabase) await ensureDatabaseExists(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  await migrateToLatest(db);
  const box = new SecretBox(resolveEncryptionKey(config.ENCRYPTION_KEY, config.NODE_ENV, config.DATA_DIR));
  return { config, db, box, activityDeps: createActivityDeps(config, db, box) };
}

export function createActivityDeps(config: Config, db: Db, box: SecretBox): ActivityDeps {
  const tokens = new HighLevelTokenStore(db, box, {
    baseUrl: config.HIGHLEVEL_API_BASE_URL,
    clientId: config.HIGHLEVEL_CLIENT_ID,
    clientSecret: config.HIGHLEVEL_CLIENT_SECRET,
  });
  return {
    db,
    config,
    highLevel: new HighLevelClient(config.HIGHLEVEL_API_BASE_URL, (locationId, options) => tokens.accessToken(locationId, options)),
    whatsAppSenderFor: (location) => whatsAppSenderFor(config, db, box, location),
    smsSenderFor: (location) => twilioClientFor(config, db, box, location),
    // Each back end's own template list, synced into the same registry: Meta's WABA or Twilio's Content API.
    templateListerFor: (location) =>
      location.whatsapp_backend === 'twilio'
        ? twilioTemplatesClientFor(config.TWILIO_API_BASE_URL, box, location)
        : templatesClientFor(config.WHATSAPP_GRAPH_BASE_URL, box, location),
    whatsAppInboundFor: (location) => whatsAppInboundFor(config, box, location),
    smsInboundFor: (location) => twilioInboundFor(box, location),
  };
}

/** Twilio for a location: its WhatsApp back end (issue "Twilio as a second back end") and its SMS fallback. */
function twilioClientFor(config: Config, db: Db, box: SecretBox, location: LocationRow): TwilioMessagingClient {
  if (!location.twilio_account_sid || !location.twilio_auth_token_enc) throw new Error(`location ${location.id}: Twilio account not configured`);
  return new TwilioMessagingClient({
    apiBaseUrl: config.TWILIO_API_BASE_URL,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    credentials: { accountSid: location.twilio_account_sid, authToken: box.decrypt(location.twilio_auth_token_enc) },
    senders: {
      whatsAppFrom: location.twilio_whatsapp_from ?? undefined,
      smsFrom: location.twilio_sms_from ?? undefined,
      messagingServiceSid: location.twilio_messaging_service_sid ?? undefined,
    },
    // Template parts go out as the ContentSid the template sync stored for that name and language, keyed by its variables.
    contentFor: (name, language) => syncedContentFor(db, location.id, name, language),
  });
}

function whatsAppSenderFor(config: Config, db: Db, box: SecretBox, location: LocationRow): MessageSender {
  if (location.whatsapp_backend === 'twilio') return twilioClientFor(config, db, box, location);
  if (!location.whatsapp_phone_number_id || !location.whatsapp_access_token_enc) {
    throw new Error(`location ${location.id}: WhatsApp Cloud API phone number id or access token not configured`);
  }
  const client = new CloudApiClient(config.WHATSAPP_GRAPH_BASE_URL, {
    phoneNumberId: location.whatsapp_phone_number_id,
    accessToken: box.decrypt(location.whatsapp_access_token_enc),
  });
  return rememberingWhatsAppIds(client, db, location.id);
}

/** Twilio's inbound side (MediaUrlN downloads) for a location: its WhatsApp back end or its SMS fallback number. */
function twilioInboundFor(box: SecretBox, location: LocationRow): TwilioInboundClient {
  if (!location.twilio_account_sid || !location.twilio_auth_token_enc) throw new Error(`location ${location.id}: Twilio account not configured`);
  return new TwilioInboundClient({ accountSid: location.twilio_account_sid, authToken: box.decrypt(location.twilio_auth_token_enc) });
}

function whatsAppInboundFor(config: Config, box: SecretBox, location: LocationRow): InboundMessaging {
  if (location.whatsapp_backend === 'twilio') return twilioInboundFor(box, location);
  if (!location.whatsapp_phone_number_id || !location.whatsapp_access_token_enc) {
    throw new Error(`location ${location.id}: WhatsApp Cloud API phone number id or access token not configured`);
  }
  return new CloudApiInboundClient(config.WHATSAPP_GRAPH_BASE_URL, {
    phoneNumberId: location.whatsapp_phone_number_id,
    accessToken: box.decrypt(location.whatsapp_access_token_enc),
  });
}
