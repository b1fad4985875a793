import { parseMetaReceipts, type MetaWebhookPayload } from '../../src/providers/meta/webhookParser';
import { vendorJson } from '../support/vendorFixtures';

/** Meta's billing facts of a status, from Meta's published examples (test/fixtures/vendor/meta/SOURCES.md). */
describe('parseMetaReceipts: pricing and conversation', () => {
  it('reads pricing (PMP, marketing) and the conversation of the published sent example', () => {
    const [receipt] = parseMetaReceipts(vendorJson<MetaWebhookPayload>('meta_pricing_sent_marketing_pmp_conversation.json'));
    expect(receipt).toMatchObject({
      status: 'sent',
      pricing: { category: 'marketing', billable: true, type: 'regular', model: 'PMP', conversationId: '72b14d6bd5407799e66f64d1b338e567', conversationOrigin: 'marketing' },
    });
  });

  it('reads the older conversation-based pricing (CBP) of the Postman delivered example', () => {
    const [receipt] = parseMetaReceipts(vendorJson<MetaWebhookPayload>('meta_pricing_delivered_cbp_postman.json'));
    expect(receipt?.pricing).toEqual({ category: 'user_initiated', billable: true, model: 'CBP', conversationId: 'CONVERSATION_ID', conversationOrigin: 'user_initiated' });
  });

  it('has no pricing when the status carries none (v24 read)', () => {
    const [receipt] = parseMetaReceipts(vendorJson<MetaWebhookPayload>('meta_pricing_read_v24_without_pricing.json'));
    expect(receipt).toMatchObject({ status: 'read' });
    expect(receipt).not.toHaveProperty('pricing');
  });
});
