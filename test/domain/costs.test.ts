import { billedAs, costCsv, costReport, rateCardAt, smsRate, whatsAppRate, withBilledAs, type MessageCostFacts, type RateCard } from '../../src/domain/costs';

const CARD: RateCard = {
  currency: 'USD',
  effectiveFrom: '2026-01-01',
  whatsapp: { '*': { marketing: 0.025, utility: 0.004, authentication: 0.004, service: 0 }, BR: { marketing: 0.0625 } },
  sms: { '*': 0.0079, BR: 0.05 },
};
const at = new Date('2026-11-30T10:00:00Z');
const pmp = (category: string, type = 'regular', billable = true) => ({ category, billable, type, model: 'PMP' });

function message(id: string, facts: Partial<MessageCostFacts>): MessageCostFacts {
  return { messageId: id, createdAt: at, country: 'US', whatsApp: null, sms: null, textSegments: 1, ...facts };
}

describe('rate cards', () => {
  it('picks the card in force on the day and the country before *', () => {
    const later: RateCard = { ...CARD, effectiveFrom: '2026-12-01', sms: { '*': 0.0083 } };
    expect(rateCardAt([later, CARD], at)).toBe(CARD);
    expect(rateCardAt([later, CARD], new Date('2026-12-01T00:00:00Z'))).toBe(later);
    expect(rateCardAt([later], at)).toBeUndefined();
    expect(whatsAppRate(CARD, 'BR', 'marketing')).toBe(0.0625);
    expect(whatsAppRate(CARD, 'BR', 'utility')).toBe(0.004);
    expect(whatsAppRate(CARD, null, 'marketing')).toBe(0.025);
    expect(smsRate(CARD, 'BR')).toBe(0.05);
    expect(smsRate(CARD, 'DE')).toBe(0.0079);
    expect(smsRate({ ...CARD, sms: {} }, 'DE')).toBeUndefined();
  });

  it('says what a send is billed as: the template category, service for free text, nothing for a skip', () => {
    expect(billedAs({ action: 'template', template: { category: 'UTILITY' } })).toBe('utility');
    expect(billedAs({ action: 'template', template: { category: 'MARKETING' } })).toBe('marketing');
    expect(billedAs({ action: 'free_text' })).toBe('service');
    expect(billedAs({ action: 'skip' })).toBeNull();
    expect(withBilledAs({ kind: 'none', reason: 'x' })).toEqual({ kind: 'none', reason: 'x', billedAs: null });
  });
});

describe('costReport', () => {
  it('prices each message and adds up the saving (checked by hand)', () => {
    const report = costReport(
      [
        // A reply inside the window: free, saves one SMS segment (0.0079).
        message('free', { whatsApp: { reached: true, pricing: pmp('service', 'free_customer_service', false), plannedCategory: 'service' }, textSegments: 1 }),
        // A marketing template to Brazil: 0.0625; as SMS it would have been 2 × 0.05 = 0.10.
        message('marketing', { country: 'BR', whatsApp: { reached: true, pricing: pmp('marketing'), plannedCategory: 'marketing' }, textSegments: 2 }),
        // A utility template with no pricing receipt yet, delivered: the plan's category prices it (0.004); saves 0.0079.
        message('utility', { whatsApp: { reached: true, pricing: null, plannedCategory: 'utility' } }),
        // A template that never reached the contact, then the SMS fallback priced by Twilio (-0.01580 → 0.0158).
        message('fallback', { whatsApp: { reached: false, pricing: pmp('utility'), plannedCategory: 'utility' }, sms: { segments: 2, price: { amount: 0.0158, unit: 'USD' } }, textSegments: 2 }),
        // SMS not priced by Twilio yet: 3 segments × 0.0079 from the card.
        message('estimated', { sms: { segments: 3, price: null }, textSegments: 3 }),
        // Delivered on both: the WhatsApp charge stays, no SMS is avoided.
        message('both', { whatsApp: { reached: true, pricing: pmp('utility'), plannedCategory: 'utility' }, sms: { segments: 1, price: { amount: 0.0079, unit: 'USD' } } }),
      ],
      [CARD],
    );
    const byId = Object.fromEntries(report.messages.map((row) => [row.messageId, row]));
    expect(byId.free).toMatchObject({ channel: 'whatsapp', category: 'service', billable: false, pricingType: 'free_customer_service', whatsAppCost: 0, whatsAppCostSource: 'free', smsAvoided: 0.0079 });
    expect(byId.marketing).toMatchObject({ category: 'marketing', whatsAppCost: 0.0625, whatsAppCostSource: 'rate', smsAvoided: 0.1 });
    expect(byId.utility).toMatchObject({ category: 'utility', billable: true, pricingModel: null, whatsAppCost: 0.004, smsAvoided: 0.0079 });
    expect(byId.fallback).toMatchObject({ channel: 'both', whatsAppCost: 0, whatsAppCostSource: 'none', smsCost: 0.0158, smsCostSource: 'provider', smsAvoided: 0 });
    expect(byId.estimated).toMatchObject({ channel: 'sms', category: null, smsSegments: 3, smsCost: 0.0237, smsCostSource: 'rate' });
    expect(byId.both).toMatchObject({ channel: 'both', whatsAppCost: 0.004, smsCost: 0.0079, smsAvoided: 0 });

    expect(report.currency).toBe('USD');
    expect(report.totals).toEqual({
      messages: 6,
      whatsAppMessages: 5,
      freeMessages: 1,
      whatsAppCost: 0.0705, // 0.0625 + 0.004 + 0.004
      smsMessages: 3,
      smsSegments: 6, // 2 + 3 + 1
      fallbackCost: 0.0474, // 0.0158 + 0.0237 + 0.0079
      smsAvoided: 0.1158, // 0.0079 + 0.10 + 0.0079
      netSaving: 0.0453, // 0.1158 − 0.0705
      unpriced: 0,
    });
    expect(report.byChannelAndCategory).toEqual([
      { channel: 'sms', category: null, messages: 3, free: 0, segments: 6, cost: 0.0474 },
      { channel: 'whatsapp', category: 'marketing', messages: 1, free: 0, segments: 0, cost: 0.0625 },
      { channel: 'whatsapp', category: 'service', messages: 1, free: 1, segments: 0, cost: 0 },
      { channel: 'whatsapp', category: 'utility', messages: 3, free: 0, segments: 0, cost: 0.008 },
    ]);
  });

  it('counts a charge no card prices as unpriced (0), and ignores a provider price in another currency', () => {
    const report = costReport(
      [
        message('no-card-rate', { country: 'DE', whatsApp: { reached: true, pricing: pmp('marketing'), plannedCategory: 'marketing' } }),
        message('eur', { sms: { segments: 1, price: { amount: 0.07, unit: 'EUR' } } }),
      ],
      [{ currency: 'USD', effectiveFrom: '2026-01-01', whatsapp: {}, sms: { US: 0.0079 } }],
    );
    expect(report.messages.map((row) => [row.whatsAppCostSource, row.smsCostSource, row.smsCost])).toEqual([
      ['unpriced', 'none', 0],
      ['none', 'rate', 0.0079],
    ]);
    expect(report.totals.unpriced).toBe(1);
  });

  it('uses the providers’ prices alone without a rate card', () => {
    const report = costReport([message('sms', { sms: { segments: 1, price: { amount: 0.0079, unit: 'USD' } } })], []);
    expect(report).toMatchObject({ currency: null, totals: { fallbackCost: 0.0079, unpriced: 0 } });
  });

  it('writes CSV with a line per message and a total line', () => {
    const csv = costCsv(costReport([message('a,"b"', { whatsApp: { reached: true, pricing: pmp('marketing'), plannedCategory: 'marketing' } })], [CARD]));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('message_id,created_at,country,channel,category,billable,pricing_type,pricing_model,whatsapp_cost,whatsapp_cost_source,sms_segments,sms_cost,sms_cost_source,sms_avoided');
    expect(lines[1]).toBe('"a,""b""",2026-11-30T10:00:00.000Z,US,whatsapp,marketing,true,regular,PMP,0.025,rate,1,0,none,0.0079');
    expect(lines[2]).toBe('total,,,,,,,,0.025,,,0,,0.0079');
  });
});
