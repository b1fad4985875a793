import { HighLevelDeliveryCaller, HighLevelSimulator, MetaSimulator } from '@ghl-whatsapp/simulators';
import type { PreparedPost } from './load';
import type { Options } from './options';

/** The world all three systems share: simulators, contacts, signed posts. */
export const LOCATION = 'bench-location';
export const ADMIN_TOKEN = 'bench-admin-token';
export const META_APP_SECRET = 'bench-meta-app-secret';
export const ACCOUNT = { accessToken: 'bench-wa-token', wabaId: 'bench-waba', phoneNumberId: 'bench-phone-number-id', displayPhoneNumber: '15550100009' };
const TEXT = 'Hi Ana, your appointment is tomorrow at 10:00. Reply to this message to reschedule.';

export interface World {
  highLevel: HighLevelSimulator;
  meta: MetaSimulator;
  highLevelToken: { access_token: string; refresh_token: string; expires_in: number };
  contacts: Array<{ id: string; phone: string }>;
  /** messageId → epoch ms of the first final status (read / failed) HighLevel received. */
  finals: Map<string, { status: string; at: number }>;
  stopWatching(): void;
}

export async function startWorld(options: Options, contacts: number): Promise<World> {
  const highLevel = await HighLevelSimulator.start({ rateLimit: false, statusDownstreamDelayMs: 0 });
  const meta = await MetaSimulator.start({ appSecret: META_APP_SECRET, autoRead: true, receiptDelayMs: options.receiptDelayMs, accounts: [ACCOUNT] });
  const highLevelToken = highLevel.issueLocationToken(LOCATION);
  const seeded = Array.from({ length: contacts }, (_, i) => {
    const phone = `+1586${String(5_000_000 + i)}`;
    return { id: highLevel.seedContact({ locationId: LOCATION, phone, firstName: 'Ana', lastName: `Bench ${i}` }).id, phone };
  });
  const finals = new Map<string, { status: string; at: number }>();
  let seen = 0;
  const watcher = setInterval(() => {
    const updates = highLevel.statusUpdates;
    for (; seen < updates.length; seen += 1) {
      const update = updates[seen];
      if (!update || (update.status !== 'read' && update.status !== 'failed') || finals.has(update.messageId)) continue;
      finals.set(update.messageId, { status: update.status, at: update.at });
    }
  }, 20);
  return { highLevel, meta, highLevelToken, contacts: seeded, finals, stopWatching: () => clearInterval(watcher) };
}

let postCounter = 0;
export function preparePosts(world: World, count: number): PreparedPost[] {
  return Array.from({ length: count }, () => {
    const contact = world.contacts[postCounter++ % world.contacts.length] as { id: string; phone: string };
    const payload = HighLevelDeliveryCaller.examplePayload({ locationId: LOCATION, contactId: contact.id, phone: contact.phone, attachments: [], message: TEXT });
    world.highLevel.registerOutboundMessage(LOCATION, payload.messageId, contact.id);
    const rawBody = JSON.stringify(payload);
    return { messageId: payload.messageId, rawBody, signature: world.highLevel.deliveryCaller.sign(rawBody) };
  });
}

// ---------------------------------------------------------------------------------------------------------------
