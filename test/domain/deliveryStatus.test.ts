import { advanceStatus, highLevelStatusFor, isFinal, type DeliveryStatus } from '../../src/domain/deliveryStatus';

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
