import type { Config } from '../src/config';
import type { Db } from '../src/db/database';
import type { LocationRow } from '../src/db/schema';
import type { HighLevelClient } from '../src/providers/highlevel/highLevelClient';
import type { TemplateLister } from '../src/providers/meta/templatesClient';
import type { SmsSender } from '../src/providers/twilio/messagingClient';
import type { InboundMessaging, MessageSender } from '../src/providers/messagingPort';

/** Everything activities need, built once per worker (src/worker.ts) or per test. */
export interface ActivityDeps {
  db: Db;
  config: Pick<Config, 'RECEIPT_TIMEOUT_SECONDS' | 'LATE_RECEIPT_WINDOW_SECONDS' | 'SEND_RECONCILE_WAIT_SECONDS' | 'HELD_MAX_AGE_SECONDS'>;
  highLevel: HighLevelClient;
  whatsAppSenderFor(location: LocationRow): MessageSender;
  /** The location's SMS sender (Twilio) for the fallback. */
  smsSenderFor(location: LocationRow): SmsSender;
  /** Media downloads and read marks for inbound messages, with the location's credentials. */
  whatsAppInboundFor(location: LocationRow): InboundMessaging;
  /** MMS media downloads for SMS replies, with the location's Twilio credentials (whatever its WhatsApp back end). */
  smsInboundFor(location: LocationRow): InboundMessaging;
  /** Lists the WABA's message templates with the location's Cloud API token (template sync). */
  templateListerFor(location: LocationRow): TemplateLister;
}
