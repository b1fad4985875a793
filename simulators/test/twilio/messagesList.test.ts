import { ACCOUNT, OTHER_ACCOUNT, basicAuth, createMessage, sim, useTwilioSimulator, waitFor } from './support';

/**
 * Twilio simulator contract tests: the 2010-04-01 Messages list (GET …/Messages.json).
 *
 * The published example: twilio/twilio-python @ e7b851e4 (the last revision with generated integration tests),
 * tests/integration/api/v2010/account/test_message.py, test_read_full_page1_response (one of its two messages, without
 * the fixture-only `tags`). Its URIs show the filters echoed before PageSize and Page, and the `DateSent>` key
 * encoded as `DateSent%3E`.
 */
const PUBLISHED_PAGE = {
  end: 1,
  first_page_uri: '/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json?To=%2B123456789&From=%2B987654321&DateSent%3E=2008-01-02&PageSize=2&Page=0',
  next_page_uri: null,
  page: 0,
  page_size: 2,
  previous_page_uri: null,
  messages: [
    {
      account_sid: 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      api_version: '2010-04-01',
      body: 'testing',
      date_created: 'Fri, 24 May 2019 17:44:46 +0000',
      date_sent: 'Fri, 24 May 2019 17:44:50 +0000',
      date_updated: 'Fri, 24 May 2019 17:44:50 +0000',
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: '+12019235161',
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: '-0.00750',
      price_unit: 'USD',
      sid: 'SMded05904ccb347238880ca9264e8fe1c',
      status: 'sent',
      subresource_uris: { media: '/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMded05904ccb347238880ca9264e8fe1c/Media.json' },
      to: '+18182008801',
      uri: '/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMded05904ccb347238880ca9264e8fe1c.json',
    },
  ],
  start: 0,
  uri: '/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages.json?To=%2B123456789&From=%2B987654321&DateSent%3E=2008-01-02&PageSize=2&Page=0',
};

interface Page {
  end: number;
  first_page_uri: string;
  next_page_uri: string | null;
  page: number;
  page_size: number;
  previous_page_uri: string | null;
  messages: Array<Record<string, unknown> & { sid: string; to: string; status: string }>;
  start: number;
  uri: string;
}

const listPath = (accountSid = ACCOUNT.accountSid) => `/2010-04-01/Accounts/${accountSid}/Messages.json`;

/** GET a list URI (relative, as Twilio gives them, or a path plus query string). */
async function list(uri: string, account = ACCOUNT) {
  const response = await fetch(`${sim.baseUrl}${uri}`, { headers: { authorization: basicAuth(account), accept: 'application/json' } });
  return { status: response.status, json: (await response.json()) as Page & { code?: number } };
}

/** The GMT day of a simulated message's date_sent, shifted by `days`. */
const sentDay = (sid: string, days = 0) => new Date((sim.messages.find((message) => message.sid === sid)?.sentAt ?? Number.NaN) + days * 86_400_000).toISOString().slice(0, 10);
let nextNumber = 0;
/** A recipient no other test in this file uses. */
const freshRecipient = () => `+1650555${String(7000 + (nextNumber += 1)).padStart(4, '0')}`;

async function createSent(to: string, body: string, from = '+15017122661') {
  const { status, json } = await createMessage({ To: to, From: from, Body: body });
  expect(status).toBe(201);
  const sid = json.sid as string;
  await waitFor(() => sim.messages.find((message) => message.sid === sid)?.sentAt !== undefined);
  return sid;
}

describe('TwilioSimulator', () => {
  useTwilioSimulator();

  describe('Messages list', () => {
    it('answers the published page shape, echoing the filters in the page URIs', async () => {
      const sid = await createSent('+123456789', 'testing', '+987654321');
      const { status, json } = await list(`${listPath()}?To=%2B123456789&From=%2B987654321&DateSent%3E=2008-01-02&PageSize=2`);

      expect(status).toBe(200);
      expect(Object.keys(json).sort()).toEqual(Object.keys(PUBLISHED_PAGE).sort());
      expect(Object.keys(json.messages[0] ?? {}).sort()).toEqual(Object.keys(PUBLISHED_PAGE.messages[0]!).sort());
      const published = PUBLISHED_PAGE.first_page_uri.replace('ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', ACCOUNT.accountSid);
      expect(json).toMatchObject({ first_page_uri: published, uri: published, next_page_uri: null, previous_page_uri: null, page: 0, page_size: 2, start: 0, end: 0 });
      expect(json.messages).toEqual([
        expect.objectContaining({ sid, to: '+123456789', from: '+987654321', body: 'testing', direction: 'outbound-api', status: expect.stringMatching(/^(sent|delivered)$/) }),
      ]);
      expect(json.messages[0]?.date_sent).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    });

    it('filters by exact To and From, whatsapp: addresses included', async () => {
      const to = freshRecipient();
      const { json: whatsApp } = await createMessage({ To: `whatsapp:${to}`, From: 'whatsapp:+14155238886', Body: 'wa' });
      const { json: sms } = await createMessage({ To: to, From: '+15017122661', Body: 'sms' });
      await createMessage({ To: freshRecipient(), From: '+15017122661', Body: 'someone else' });

      const byWhatsApp = await list(`${listPath()}?${new URLSearchParams({ To: `whatsapp:${to}` })}`);
      const bySms = await list(`${listPath()}?${new URLSearchParams({ To: to, From: '+15017122661' })}`);
      const wrongSender = await list(`${listPath()}?${new URLSearchParams({ To: to, From: '+15550000000' })}`);

      expect(byWhatsApp.json.messages.map((message) => message.sid)).toEqual([whatsApp.sid]);
      expect(byWhatsApp.json.messages[0]).toMatchObject({ to: `whatsapp:${to}`, from: 'whatsapp:+14155238886' });
      expect(bySms.json.messages.map((message) => message.sid)).toEqual([sms.sid]);
      expect(wrongSender.json.messages).toEqual([]);
    });

    it('pages newest first through next_page_uri / previous_page_uri, anchored so new sends do not shift pages', async () => {
      const to = freshRecipient();
      const sids: string[] = [];
      for (let index = 0; index < 5; index += 1) sids.push(await createSent(to, `message ${index}`));
      const newestFirst = [...sids].reverse();

      const first = await list(`${listPath()}?${new URLSearchParams({ To: to, PageSize: '2' })}`);
      expect(first.json.messages.map((message) => message.sid)).toEqual(newestFirst.slice(0, 2));
      expect(first.json).toMatchObject({ page: 0, start: 0, end: 1, previous_page_uri: null });
      expect(first.json.next_page_uri).toBe(`${listPath()}?To=${encodeURIComponent(to)}&PageSize=2&Page=1&PageToken=PA${newestFirst[1]}`);

      await createSent(to, 'sent while paging'); // lands on top, not in the pages still to read
      const second = await list(first.json.next_page_uri ?? '');
      expect(second.json.messages.map((message) => message.sid)).toEqual(newestFirst.slice(2, 4));
      expect(second.json).toMatchObject({ page: 1, start: 2, end: 3 });
      const third = await list(second.json.next_page_uri ?? '');
      expect(third.json.messages.map((message) => message.sid)).toEqual(newestFirst.slice(4));
      expect(third.json.next_page_uri).toBeNull();

      const back = await list(second.json.previous_page_uri ?? '');
      expect(back.json.messages.map((message) => message.sid)).toEqual(newestFirst.slice(0, 2));
    });

    it('compares DateSent by GMT day (time of day ignored), and never lists a message not sent yet under a DateSent filter', async () => {
      const to = freshRecipient();
      const sentSid = await createSent(to, 'sent');
      sim.scriptCallbacks(to, []); // the next message stays queued: no date_sent
      const { json: queued } = await createMessage({ To: to, From: '+15017122661', Body: 'queued' });
      expect(queued.date_sent).toBeNull();

      const sidsFor = async (filters: Record<string, string>) =>
        (await list(`${listPath()}?${new URLSearchParams({ To: to, ...filters })}`)).json.messages.map((message) => message.sid);

      expect(await sidsFor({})).toEqual([queued.sid, sentSid]);
      const day = sentDay(sentSid);
      expect(await sidsFor({ DateSent: day })).toEqual([sentSid]);
      expect(await sidsFor({ 'DateSent>': day })).toEqual([sentSid]);
      expect(await sidsFor({ 'DateSent>': `${day}T23:59:59Z` })).toEqual([sentSid]);
      expect(await sidsFor({ 'DateSent<': day })).toEqual([sentSid]);
      expect(await sidsFor({ 'DateSent>': sentDay(sentSid, 1) })).toEqual([]);
      expect(await sidsFor({ 'DateSent<': sentDay(sentSid, -1) })).toEqual([]);
      // Unencoded, `DateSent>=day` is the key `DateSent>` with the value `day`: the documented inequality.
      expect((await list(`${listPath()}?To=${encodeURIComponent(to)}&DateSent>=${day}`)).json.messages.map((message) => message.sid)).toEqual([sentSid]);

      const invalid = await list(`${listPath()}?${new URLSearchParams({ 'DateSent>': 'not a date' })}`);
      expect(invalid.status).toBe(400);
      expect(invalid.json).toMatchObject({ code: 20001, status: 400 });
    });

    it("lists only the authenticated account's messages and rejects another account's path with 401/20003", async () => {
      const to = freshRecipient();
      await createSent(to, 'primary');
      const other = await list(`${listPath(OTHER_ACCOUNT.accountSid)}?${new URLSearchParams({ To: to })}`, OTHER_ACCOUNT);
      expect(other.status).toBe(200);
      expect(other.json.messages).toEqual([]);

      const crossAccount = await list(`${listPath(OTHER_ACCOUNT.accountSid)}?${new URLSearchParams({ To: to })}`, ACCOUNT);
      expect(crossAccount.status).toBe(401);
      expect(crossAccount.json).toMatchObject({ code: 20003, status: 401 });
    });

    it('defaults PageSize to 50, caps it at 1000 and rejects a non-number', async () => {
      expect((await list(listPath())).json.page_size).toBe(50);
      expect((await list(`${listPath()}?PageSize=5000`)).json.page_size).toBe(1000);
      const invalid = await list(`${listPath()}?PageSize=abc`);
      expect(invalid.status).toBe(400);
      expect(invalid.json.code).toBe(20001);
    });
  });
});
