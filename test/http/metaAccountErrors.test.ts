import type { FastifyBaseLogger } from 'fastify';
import type { HttpContext } from '../../src/http/context';
import { recordMetaAccountErrors } from '../../src/http/metaAccountErrors';
import { parseMetaAccountErrors } from '../../src/providers/meta/webhookParser';

describe('account-level errors in a Meta webhook (value.errors)', () => {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', errors: [{ code: 131031, title: 'Account has been locked', message: 'Account has been locked', error_data: { details: 'Messages to +15864603685 were blocked' }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }] } }] }],
  };

  it('are read with code, words and link, and the business account they concern', () => {
    expect(parseMetaAccountErrors(payload)).toEqual([
      { wabaId: '102290129340398', code: 131031, title: 'Account has been locked', message: 'Account has been locked', details: 'Messages to +15864603685 were blocked', href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' },
    ]);
    expect(parseMetaAccountErrors({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { statuses: [] } }] }] })).toEqual([]);
  });

  it('are logged with any phone number in Meta\'s words masked', async () => {
    const logged: unknown[] = [];
    const log = { warn: (object: unknown) => logged.push(object) } as unknown as FastifyBaseLogger;
    // No business number named: nothing to keep on a location, so no database is needed.
    expect(await recordMetaAccountErrors({} as HttpContext, payload, log)).toBe(1);
    expect(JSON.stringify(logged)).not.toContain('15864603685');
    expect(logged).toEqual([expect.objectContaining({ metaError: expect.objectContaining({ code: 131031, details: 'Messages to +1586•••••85 were blocked' }), locationIds: [] })]);
  });
});
