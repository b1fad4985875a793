import { sql } from 'kysely';
import type { Db } from '../db/database';
import { asCategory, type MessageCostFacts, type RateCard } from '../domain/costs';
import { countryOfNumber } from '../domain/phone';

/** Saves the card for its effective day (replacing one saved for the same day). */
export async function saveRateCard(db: Db, locationId: string, card: RateCard): Promise<void> {
  await db
    .insertInto('location_rates')
    .values({ location_id: locationId, effective_from: card.effectiveFrom, currency: card.currency, whatsapp: JSON.stringify(card.whatsapp), sms: JSON.stringify(card.sms) })
    .onConflict((conflict) =>
      conflict.columns(['location_id', 'effective_from']).doUpdateSet((eb) => ({
        currency: eb.ref('excluded.currency'),
        whatsapp: eb.ref('excluded.whatsapp'),
        sms: eb.ref('excluded.sms'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}

/** The location's cards, oldest first. */
export async function listRateCards(db: Db, locationId: string): Promise<RateCard[]> {
  const rows = await db
    .selectFrom('location_rates')
    .select([sql<string>`to_char(effective_from, 'YYYY-MM-DD')`.as('effective_from'), 'currency', 'whatsapp', 'sms'])
    .where('location_id', '=', locationId)
    .orderBy('location_rates.effective_from')
    .execute();
  return rows.map((row) => ({ currency: row.currency, effectiveFrom: row.effective_from, whatsapp: row.whatsapp, sms: row.sms }));
}

const MAX_PRICE_FETCHES = 200;
const PARALLEL_PRICE_FETCHES = 4;

interface CostRow {
  id: string;
  created_at: Date;
  phone_e164: string | null;
  sms_segments: number | null;
  pricing_category: string | null;
  pricing_billable: boolean | null;
  pricing_type: string | null;
  pricing_model: string | null;
  sms_price: string | null;
  sms_price_unit: string | null;
  sms_billed_segments: number | null;
  whatsapp_sent: boolean;
  whatsapp_reached: boolean;
  billed_as: string | null;
  sms_ids: string[];
}

/**
 * One row per message of the location created in [from, to): the ledger's cost columns, whether a WhatsApp send
 * was made and reached the contact (a delivered/read receipt), the last plan's billing category and the SMS sids.
 * One statement for the period (messages_location_created index); nothing of it is written while messages flow.
 */
async function costRows(db: Db, locationId: string, from: Date, to: Date): Promise<CostRow[]> {
  const { rows } = await sql<CostRow>`select m.id, m.created_at, m.phone_e164, m.sms_segments, m.pricing_category, m.pricing_billable,
      m.pricing_type, m.pricing_model, m.sms_price::text as sms_price, m.sms_price_unit, m.sms_billed_segments,
      exists (select 1 from message_events e where e.message_id = m.id and e.type = 'sent') as whatsapp_sent,
      exists (select 1 from provider_receipts r where r.message_id = m.id and coalesce(r.payload->>'channel', 'whatsapp') = 'whatsapp'
        and r.status in ('delivered', 'read')) as whatsapp_reached,
      (select e.detail->>'billedAs' from message_events e where e.message_id = m.id and e.type = 'decided' order by e.id desc limit 1) as billed_as,
      coalesce((select array_agg(e.detail->>'providerMessageId' order by e.id) from message_events e where e.message_id = m.id and e.type = 'sms_sent'), '{}') as sms_ids
    from messages m
    where m.location_id = ${locationId} and m.created_at >= ${from} and m.created_at < ${to}
    order by m.created_at, m.id`.execute(db);
  return rows;
}

/** Twilio's final price of a message's SMS (summed over its SMS, e.g. a replay's), kept so it is fetched once. */
export async function saveSmsPrice(db: Db, messageId: string, price: { amount: number; unit: string; segments: number | null }): Promise<void> {
  await db
    .updateTable('messages')
    .set({ sms_price: String(price.amount), sms_price_unit: price.unit, sms_billed_segments: price.segments })
    .where('id', '=', messageId)
    .execute();
}

/** The messages of a period whose SMS Twilio has not priced for us yet, with their SMS sids. */
function unpricedSms(rows: readonly CostRow[]): Array<{ messageId: string; sids: string[] }> {
  return rows.filter((row) => row.sms_ids.length > 0 && row.sms_price === null).map((row) => ({ messageId: row.id, sids: row.sms_ids }));
}

function factsOf(row: CostRow): MessageCostFacts {
  const pricing =
    row.pricing_category !== null || row.pricing_billable !== null
      ? { category: row.pricing_category, billable: row.pricing_billable, type: row.pricing_type, model: row.pricing_model }
      : null;
  const smsPrice = row.sms_price !== null && row.sms_price_unit !== null ? { amount: Number(row.sms_price), unit: row.sms_price_unit } : null;
  return {
    messageId: row.id,
    createdAt: new Date(row.created_at),
    country: countryOfNumber(row.phone_e164),
    whatsApp: row.whatsapp_sent ? { reached: row.whatsapp_reached, pricing, plannedCategory: asCategory(row.billed_as) } : null,
    sms: row.sms_ids.length > 0 ? { segments: row.sms_billed_segments ?? row.sms_segments ?? 1, price: smsPrice } : null,
    textSegments: row.sms_segments,
  };
}

/**
 * The cost facts of a location's messages in [from, to). `priceSms` is asked for Twilio's price of SMS not priced
 * yet (null: not final, or unknown); what it answers is stored, and the rows read again.
 */
export async function costFacts(
  db: Db,
  locationId: string,
  period: { from: Date; to: Date },
  priceSms?: (sids: string[]) => Promise<{ amount: number; unit: string; segments: number | null } | null>,
): Promise<MessageCostFacts[]> {
  let rows = await costRows(db, locationId, period.from, period.to);
  // Bounded per report: a price not fetched now is estimated from the rate card and fetched by a later report.
  const pending = priceSms ? unpricedSms(rows).slice(0, MAX_PRICE_FETCHES) : [];
  let saved = 0;
  for (let start = 0; start < pending.length; start += PARALLEL_PRICE_FETCHES) {
    await Promise.all(
      pending.slice(start, start + PARALLEL_PRICE_FETCHES).map(async (message) => {
        const price = await priceSms?.(message.sids);
        if (!price) return;
        await saveSmsPrice(db, message.messageId, price);
        saved += 1;
      }),
    );
  }
  if (saved > 0) rows = await costRows(db, locationId, period.from, period.to);
  return rows.map(factsOf);
}
