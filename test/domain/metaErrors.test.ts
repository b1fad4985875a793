import { classifyMetaError, describeMetaError } from '../../src/domain/metaErrors';
import type { ErrorClass } from '../../src/domain/providerErrors';

describe('classifyMetaError', () => {
  it.each<[number, number | undefined, ErrorClass]>([
    [130429, 400, 'retry'],
    [131056, 400, 'retry'],
    [131000, 500, 'retry'],
    [131016, 500, 'retry'],
    [2, 503, 'retry'],
    [131047, 400, 'needs_template'],
    [131026, 400, 'fallback'],
    [131049, 400, 'fallback'],
    [132000, 400, 'permanent'],
    [132001, 404, 'permanent'],
    [132012, 400, 'permanent'],
    [132015, 400, 'permanent'],
    [131053, 400, 'permanent'],
    [100, 400, 'permanent'],
    [131050, 400, 'permanent'],
    [131048, 400, 'pause_sender'],
    [368, 403, 'pause_sender'],
    [190, 401, 'pause_sender'],
    [200, 403, 'pause_sender'],
  ])('code %i (HTTP %s) → %s', (code, httpStatus, expected) => {
    expect(classifyMetaError({ code, httpStatus })).toBe(expected);
  });

  it('retries unknown codes on 5xx or when Meta marks them transient', () => {
    expect(classifyMetaError({ code: 999999, httpStatus: 502 })).toBe('retry');
    expect(classifyMetaError({ code: 999999, httpStatus: 400, isTransient: true })).toBe('retry');
    expect(classifyMetaError({ code: 999999, httpStatus: 400 })).toBe('permanent');
  });

  it('describes errors in words with the code', () => {
    expect(describeMetaError({ code: 131026 })).toBe('WhatsApp error 131026: the number is not on WhatsApp or cannot receive messages (old app, terms not accepted)');
    expect(describeMetaError({ code: 4242, details: 'Something odd' })).toBe('WhatsApp error 4242: Something odd');
  });
});
