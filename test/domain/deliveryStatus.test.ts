import { advanceStatus, deliverySettled, followsPushRule, highLevelStatusFor, highLevelStatusToPush, isFinal, overallStatus, type DeliveryStatus } from '../../src/domain/deliveryStatus';

const replay = (start: DeliveryStatus, receipts: DeliveryStatus[]) => receipts.reduce(advanceStatus, start);

describe('advanceStatus: forward-only receipt order', () => {
  it.each<[DeliveryStatus[], DeliveryStatus]>([
    [['sent', 'delivered', 'read'], 'read'],
    [['read', 'delivered'], 'read'],
    [['delivered', 'delivered', 'sent'], 'delivered'],
    [['read'], 'read'],
    [['sent', 'failed'], 'failed'],
    [['failed', 'delivered', 'read'], 'failed'],
    [['delivered', 'failed'], 'delivered'],
    [['read', 'failed', 'sent'], 'read'],
  ])('%j → %s', (receipts, expected) => {
    expect(replay('accepted', receipts)).toBe(expected);
  });

  it('treats read and failed as final, delivered as not', () => {
    expect([isFinal('read'), isFinal('failed'), isFinal('delivered'), isFinal('sent')]).toEqual([true, true, false, false]);
  });

  it('maps only what HighLevel accepts (no "sent" in its API)', () => {
    expect(['accepted', 'sent', 'delivered', 'read', 'failed'].map((status) => highLevelStatusFor(status as DeliveryStatus))).toEqual([
      undefined,
      undefined,
      'delivered',
      'read',
      'failed',
    ]);
  });
});

describe('statuses pushed to HighLevel: only the furthest, never backwards', () => {
  it('pushes the furthest status of those that arrived together', () => {
    expect(highLevelStatusToPush(undefined, 'read')).toBe('read');
    expect(highLevelStatusToPush(undefined, 'delivered')).toBe('delivered');
    expect(highLevelStatusToPush('delivered', 'read')).toBe('read');
  });

  it('pushes nothing for sent, for a repeat, or for a status behind one already pushed', () => {
    expect(highLevelStatusToPush(undefined, 'sent')).toBeUndefined();
    expect(highLevelStatusToPush('read', 'read')).toBeUndefined();
    expect(highLevelStatusToPush('read', 'delivered')).toBeUndefined();
    expect(highLevelStatusToPush('failed', 'delivered')).toBeUndefined();
  });

  it('accepts either arrival timing of delivered and read, and nothing else', () => {
    expect(followsPushRule(['delivered', 'read'], 'read')).toBe(true);
    expect(followsPushRule(['read'], 'read')).toBe(true);
    expect(followsPushRule(['read', 'delivered'], 'delivered')).toBe(false);
    expect(followsPushRule(['delivered', 'delivered', 'read'], 'read')).toBe(false);
    expect(followsPushRule(['delivered'], 'read')).toBe(false);
    expect(followsPushRule(['failed'], 'failed')).toBe(true);
    expect(followsPushRule([], 'read')).toBe(false);
  });
});

describe('overallStatus', () => {
  it.each<[Array<DeliveryStatus | undefined>, DeliveryStatus]>([
    [[undefined, undefined], 'sent'],
    [['sent', undefined], 'sent'],
    [['failed', 'delivered'], 'delivered'],
    [['read', 'failed'], 'read'],
    [['delivered', 'read'], 'read'],
    [['failed', undefined], 'failed'],
    [['failed', 'failed'], 'failed'],
    [['failed', 'sent'], 'sent'],
  ])('%j → %s', (statuses, expected) => {
    expect(overallStatus(statuses)).toBe(expected);
  });
});

describe('deliverySettled', () => {
  it.each<[DeliveryStatus | undefined, DeliveryStatus | undefined, boolean]>([
    ['sent', undefined, false],
    ['delivered', undefined, false],
    ['read', undefined, true],
    ['failed', undefined, true],
    ['failed', 'sent', false],
    ['failed', 'delivered', true],
    ['delivered', 'delivered', false],
    [undefined, 'failed', true],
  ])('WhatsApp %s, SMS %s → %s', (whatsApp, sms, expected) => {
    expect(deliverySettled(whatsApp, sms)).toBe(expected);
  });
});
