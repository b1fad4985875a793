/**
 * What messages cost and what WhatsApp saved (pure). A location's rate cards price what the providers did not price
 * themselves: WhatsApp by pricing category and recipient country, SMS per segment by country, `*` for any other
 * country. Twilio's own reported price wins where it has one. Meta bills per delivered message (PMP): a WhatsApp
 * message costs when it reached the contact and its pricing says billable (`free_customer_service` and
 * `free_entry_point` replies are free). The saving compares with sending the same texts as SMS:
 * - `smsAvoided`: messages that reached the contact over WhatsApp without any SMS, priced as their SMS segments;
 * - `netSaving = smsAvoided − whatsAppCost`. A fallback SMS would have been paid anyway, so its cost is reported
 *   (`fallbackCost`) but is no loss; the WhatsApp charge of a message that also went by SMS is.
 * Amounts are summed in millionths of the currency unit and rounded to 6 decimals.
 */

export const WHATSAPP_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type WhatsAppCategory = (typeof WHATSAPP_CATEGORIES)[number];
export const ANY_COUNTRY = '*';

export interface RateCard {
  /** ISO 4217, e.g. USD. */
  currency: string;
  /** YYYY-MM-DD (UTC): the card prices messages created on or after this day, until the next card. */
  effectiveFrom: string;
  /** Country (ISO alpha-2) or `*` → price per message by category. */
  whatsapp: Record<string, Partial<Record<WhatsAppCategory, number>>>;
  /** Country or `*` → price per SMS segment. */
  sms: Record<string, number>;
}

/** A price the provider reported (Twilio's `price`, made positive) in its unit. */
export interface ReportedPrice {
  amount: number;
  unit: string;
}

/** Meta's `pricing` of a status (from the first receipt that carried it). */
export interface WhatsAppPricing {
  category: string | null;
  billable: boolean | null;
  type: string | null;
  model: string | null;
}

/** What the ledger and the receipts know about one message. */
export interface MessageCostFacts {
  messageId: string;
  createdAt: Date;
  /** The recipient's country (ISO alpha-2), null when unknown. */
  country: string | null;
  /** A WhatsApp send was made (null: none). */
  whatsApp: null | {
    /** A delivered/read receipt came. */
    reached: boolean;
    pricing: WhatsAppPricing | null;
    /** What the plan said it would be billed as (the synced template's category, `service` for free text). */
    plannedCategory: WhatsAppCategory | null;
  };
  /** An SMS went out (the fallback): its segments (Twilio's count, else ours) and Twilio's price once final. */
  sms: null | { segments: number; price: ReportedPrice | null };
  /** The SMS segments the text takes (counted when the message was planned); null for messages before this existed. */
  textSegments: number | null;
}

export type CostSource = 'provider' | 'rate' | 'free' | 'unpriced' | 'none';

export interface MessageCost {
  messageId: string;
  createdAt: string;
  country: string | null;
  channel: 'whatsapp' | 'sms' | 'both' | 'none';
  category: WhatsAppCategory | null;
  billable: boolean | null;
  pricingType: string | null;
  pricingModel: string | null;
  whatsAppCost: number;
  whatsAppCostSource: CostSource;
  smsSegments: number | null;
  smsCost: number;
  smsCostSource: CostSource;
  smsAvoided: number;
}

export interface CostGroup {
  channel: 'whatsapp' | 'sms';
  /** WhatsApp's pricing category; null for SMS. */
  category: WhatsAppCategory | null;
  messages: number;
  /** WhatsApp messages that cost nothing (service window, free entry point). */
  free: number;
  segments: number;
  cost: number;
}

export interface CostReport {
  /** The rate cards' currency (null without a card: only providers' prices count then). */
  currency: string | null;
  totals: {
    messages: number;
    whatsAppMessages: number;
    freeMessages: number;
    whatsAppCost: number;
    smsMessages: number;
    smsSegments: number;
    fallbackCost: number;
    smsAvoided: number;
    netSaving: number;
    /** Messages with a charge no rate card prices (their cost counts as 0). */
    unpriced: number;
  };
  byChannelAndCategory: CostGroup[];
  messages: MessageCost[];
}

const MICROS = 1_000_000;
const toMicros = (amount: number) => Math.round(amount * MICROS);
const fromMicros = (micros: number) => micros / MICROS;

/** The card in force on a day: the latest whose effectiveFrom is not after it. */
export function rateCardAt(cards: readonly RateCard[], at: Date): RateCard | undefined {
  const day = at.toISOString().slice(0, 10);
  return [...cards].filter((card) => card.effectiveFrom <= day).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
}

export function whatsAppRate(card: RateCard | undefined, country: string | null, category: WhatsAppCategory): number | undefined {
  return (country ? card?.whatsapp[country]?.[category] : undefined) ?? card?.whatsapp[ANY_COUNTRY]?.[category];
}

export function smsRate(card: RateCard | undefined, country: string | null): number | undefined {
  return (country ? card?.sms[country] : undefined) ?? card?.sms[ANY_COUNTRY];
}

export function asCategory(value: string | null | undefined): WhatsAppCategory | null {
  const lower = value?.toLowerCase();
  return (WHATSAPP_CATEGORIES as readonly string[]).includes(lower ?? '') ? (lower as WhatsAppCategory) : null;
}

/**
 * What a planned send will be billed as: a template by its category (Meta's UTILITY / MARKETING / AUTHENTICATION),
 * free text (only possible inside the customer-service window) as `service`; null when nothing is sent.
 */
export function billedAs(plan: { action: string; template?: { category?: string } }): WhatsAppCategory | null {
  if (plan.action === 'free_text') return 'service';
  if (plan.action === 'template') return asCategory(plan.template?.category);
  return null;
}

/** A template decision (src/domain/templateDecision.ts) with what its send will be billed as (null: nothing is sent). */
export function withBilledAs<T extends { kind: string; template?: { category?: string } }>(decision: T): T & { billedAs: WhatsAppCategory | null } {
  return { ...decision, billedAs: billedAs({ action: decision.kind, ...(decision.template ? { template: decision.template } : {}) }) };
}

/** A reported price in the card's currency (or any when there is no card); a price in another unit is not used. */
function usablePrice(price: ReportedPrice | null | undefined, currency: string | null): number | undefined {
  if (!price) return undefined;
  return currency === null || price.unit.toUpperCase() === currency ? toMicros(price.amount) : undefined;
}

interface Priced {
  row: MessageCost;
  micros: { whatsApp: number; sms: number; avoided: number };
  unpriced: boolean;
}

function priceMessage(facts: MessageCostFacts, card: RateCard | undefined, currency: string | null): Priced {
  const { whatsApp, sms } = facts;
  let unpriced = false;
  const rated = (rate: number | undefined, units: number): { micros: number; source: CostSource } => {
    if (rate === undefined) {
      unpriced = true;
      return { micros: 0, source: 'unpriced' };
    }
    return { micros: toMicros(rate) * units, source: 'rate' };
  };

  const category = asCategory(whatsApp?.pricing?.category) ?? whatsApp?.plannedCategory ?? null;
  const billable = whatsApp ? (whatsApp.pricing?.billable ?? (category === null ? null : category !== 'service')) : null;
  let wa: { micros: number; source: CostSource } = { micros: 0, source: 'none' };
  if (whatsApp?.reached && billable === false) wa = { micros: 0, source: 'free' };
  else if (whatsApp?.reached) wa = category ? rated(whatsAppRate(card, facts.country, category), 1) : rated(undefined, 1);

  let smsCost: { micros: number; source: CostSource } = { micros: 0, source: 'none' };
  if (sms) {
    const reported = usablePrice(sms.price, currency);
    smsCost = reported !== undefined ? { micros: reported, source: 'provider' } : rated(smsRate(card, facts.country), sms.segments);
  }

  let avoided = 0;
  if (whatsApp?.reached && !sms && facts.textSegments !== null) avoided = rated(smsRate(card, facts.country), facts.textSegments).micros;

  const channel = whatsApp && sms ? 'both' : whatsApp ? 'whatsapp' : sms ? 'sms' : 'none';
  return {
    row: {
      messageId: facts.messageId,
      createdAt: facts.createdAt.toISOString(),
      country: facts.country,
      channel,
      category: whatsApp ? category : null,
      billable,
      pricingType: whatsApp?.pricing?.type ?? null,
      pricingModel: whatsApp?.pricing?.model ?? null,
      whatsAppCost: fromMicros(wa.micros),
      whatsAppCostSource: wa.source,
      smsSegments: sms?.segments ?? facts.textSegments,
      smsCost: fromMicros(smsCost.micros),
      smsCostSource: smsCost.source,
      smsAvoided: fromMicros(avoided),
    },
    micros: { whatsApp: wa.micros, sms: smsCost.micros, avoided },
    unpriced,
  };
}

/** Every message priced by the card in force when it was created, with totals and groups by channel and category. */
export function costReport(facts: readonly MessageCostFacts[], cards: readonly RateCard[]): CostReport {
  const currency = cards[0]?.currency ?? null;
  const priced = facts.map((message) => priceMessage(message, rateCardAt(cards, message.createdAt), currency));
  const groups = new Map<string, CostGroup & { micros: number }>();
  const group = (channel: CostGroup['channel'], category: WhatsAppCategory | null) => {
    const key = `${channel}:${category ?? ''}`;
    const existing = groups.get(key) ?? { channel, category, messages: 0, free: 0, segments: 0, cost: 0, micros: 0 };
    groups.set(key, existing);
    return existing;
  };
  const sum = (pick: (entry: Priced) => number) => priced.reduce((total, entry) => total + pick(entry), 0);
  for (const entry of priced) {
    const { row, micros } = entry;
    if (row.channel === 'whatsapp' || row.channel === 'both') {
      const target = group('whatsapp', row.category);
      target.messages += 1;
      if (row.whatsAppCostSource === 'free') target.free += 1;
      target.micros += micros.whatsApp;
    }
    if (row.channel === 'sms' || row.channel === 'both') {
      const target = group('sms', null);
      target.messages += 1;
      target.segments += row.smsSegments ?? 0;
      target.micros += micros.sms;
    }
  }
  const whatsAppMicros = sum((entry) => entry.micros.whatsApp);
  const avoidedMicros = sum((entry) => entry.micros.avoided);
  const withSms = priced.filter((entry) => entry.row.channel === 'sms' || entry.row.channel === 'both');
  return {
    currency,
    totals: {
      messages: priced.length,
      whatsAppMessages: priced.filter((entry) => entry.row.channel === 'whatsapp' || entry.row.channel === 'both').length,
      freeMessages: priced.filter((entry) => entry.row.whatsAppCostSource === 'free').length,
      whatsAppCost: fromMicros(whatsAppMicros),
      smsMessages: withSms.length,
      smsSegments: withSms.reduce((total, entry) => total + (entry.row.smsSegments ?? 0), 0),
      fallbackCost: fromMicros(sum((entry) => entry.micros.sms)),
      smsAvoided: fromMicros(avoidedMicros),
      netSaving: fromMicros(avoidedMicros - whatsAppMicros),
      unpriced: priced.filter((entry) => entry.unpriced).length,
    },
    byChannelAndCategory: [...groups.values()]
      .sort((a, b) => a.channel.localeCompare(b.channel) || (a.category ?? '').localeCompare(b.category ?? ''))
      .map(({ micros, ...rest }) => ({ ...rest, cost: fromMicros(micros) })),
    messages: priced.map((entry) => entry.row),
  };
}

const CSV_COLUMNS: Array<[string, (row: MessageCost) => unknown]> = [
  ['message_id', (row) => row.messageId],
  ['created_at', (row) => row.createdAt],
  ['country', (row) => row.country],
  ['channel', (row) => row.channel],
  ['category', (row) => row.category],
  ['billable', (row) => row.billable],
  ['pricing_type', (row) => row.pricingType],
  ['pricing_model', (row) => row.pricingModel],
  ['whatsapp_cost', (row) => row.whatsAppCost],
  ['whatsapp_cost_source', (row) => row.whatsAppCostSource],
  ['sms_segments', (row) => row.smsSegments],
  ['sms_cost', (row) => row.smsCost],
  ['sms_cost_source', (row) => row.smsCostSource],
  ['sms_avoided', (row) => row.smsAvoided],
];

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One line per message (RFC 4180), then a `total` line of the amounts (in the report's currency). `sms_segments` is
 * per message what it was sent as, or would take, as SMS: it has no total (the JSON's `smsSegments` counts sent SMS).
 */
export function costCsv(report: CostReport): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of report.messages) lines.push(CSV_COLUMNS.map(([, pick]) => csvField(pick(row))).join(','));
  const { totals } = report;
  const total: Record<string, unknown> = { message_id: 'total', whatsapp_cost: totals.whatsAppCost, sms_cost: totals.fallbackCost, sms_avoided: totals.smsAvoided };
  lines.push(CSV_COLUMNS.map(([name]) => csvField(total[name])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
