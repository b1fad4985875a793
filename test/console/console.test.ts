import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { HighLevelDeliveryCaller } from '@ghl-whatsapp/simulators';
import { appendConsent, currentConsent } from '../../src/store/consent';
import { findLedgerEntry, ledgerTimeline } from '../../src/store/ledger';
import { findLocation, pauseSender } from '../../src/store/locations';
import { deliverWorkflowId } from '../../workflows/shared';
import { deliveryOutcome } from '../support/expectations';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { templateDefinitions } from '../support/templateCases';

/**
 * The operator console (issue 16) in a real browser — Debian's Chromium, headless, through playwright-core — against
 * the real stack: the harness's api serves /console. Every wait is a condition (playwright's auto-waiting locators).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  h = await startHarness({ settings: { smsFallback: false } });
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({ baseURL: h.apiUrl });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

let counter = 0;
async function post(text: string, options: { window?: boolean } = {}) {
  counter += 1;
  const phone = `+1586444${String(1000 + counter)}`;
  await appendConsent(h.db, { locationId: h.location.id, phoneE164: phone, status: 'opted_in', source: 'api_import' });
  if (options.window !== false) await h.openWindow(h.location.id, phone);
  const payload = HighLevelDeliveryCaller.examplePayload({ locationId: h.location.id, phone, message: text, attachments: [] });
  expect((await h.caller.send(h.deliveryUrl, payload)).status).toBe(200);
  return { phone, highLevelMessageId: payload.messageId, workflowId: deliverWorkflowId(h.location.id, payload.messageId) };
}

async function logIn(token = ADMIN_TOKEN) {
  await page.goto('/console/login');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('operator console', () => {
  it('lets in only the admin token, with a strict http-only session cookie, and refuses changes from another site', async () => {
    await page.goto('/console/messages');
    await page.waitForURL('**/console/login');
    await logIn('not-the-token');
    await page.getByText('That is not the admin token.').waitFor();
    expect(await context.cookies()).toEqual([]);

    await logIn();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'ghlwa_console', path: '/console', httpOnly: true, sameSite: 'Strict', secure: false });

    // The session works, but not for a change another site starts (or one without an Origin).
    const session = `${cookie?.name}=${cookie?.value}`;
    const fromElsewhere = await fetch(`${h.apiUrl}/console/locations/${h.location.id}/resume`, { method: 'POST', headers: { cookie: session, origin: 'https://evil.example' }, redirect: 'manual' });
    expect(fromElsewhere.status).toBe(403);
    const noOrigin = await fetch(`${h.apiUrl}/console/locations/${h.location.id}/resume`, { method: 'POST', headers: { cookie: session }, redirect: 'manual' });
    expect(noOrigin.status).toBe(403);
    const noSession = await fetch(`${h.apiUrl}/console/messages`, { redirect: 'manual' });
    expect(noSession.status).toBe(303);
    // Bad input is a 400 page that looks nothing up.
    for (const path of ['/console/messages/a%00b', '/console/messages?status=failed&status=read', '/console/messages?since=yesterday']) {
      expect((await fetch(`${h.apiUrl}${path}`, { headers: { cookie: session } })).status).toBe(400);
    }

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/console/login');
    await page.goto('/console/locations');
    await page.waitForURL('**/console/login');
    await logIn();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });

  it('finds a delivered message by the last digits of its number and reads its timeline', async () => {
    const message = await post('Thanks for your visit, <b>Ana</b>');
    expect(await deliveryOutcome(h.temporal, message.workflowId)).toMatchObject({ status: 'read' });

    await page.goto('/console/messages');
    await page.getByLabel('Phone (last digits)').fill(message.phone.slice(-4));
    await page.getByRole('button', { name: 'Search' }).click();
    const link = page.getByRole('link', { name: message.highLevelMessageId });
    await link.waitFor();
    // The search went as a form post: the number is in no URL.
    expect(page.url()).toBe(`${h.apiUrl}/console/messages`);
    // Lists mask the number.
    const row = page.getByRole('row').filter({ has: link });
    expect(await row.textContent()).not.toContain(message.phone);
    expect(await row.textContent()).toContain(message.phone.slice(-2));
    await link.click();

    await page.getByRole('heading', { name: `Message ${message.highLevelMessageId}` }).waitFor();
    const timeline = page.getByRole('table');
    await timeline.getByText('status read pushed to HighLevel').waitFor();
    const text = await timeline.textContent();
    for (const expected of ['HighLevel posted', 'WhatsApp free text — 24-hour window open, consent opted_in', 'sent on WhatsApp (text) via meta', 'receipt: delivered', 'status delivered pushed to HighLevel']) expect(text).toContain(expected);
    expect(await page.getByRole('definition').filter({ hasText: message.phone }).count()).toBe(1);
    const href = await page.getByRole('link', { name: 'Open in the Temporal UI' }).getAttribute('href');
    expect(href).toBe(`http://127.0.0.1:${h.config.TEMPORAL_UI_PORT}/namespaces/default/workflows/${encodeURIComponent(message.workflowId)}`);

    // What a search reflects back stays text.
    const injected = '"><b id="injected">x</b>';
    await page.goto(`/console/messages?reason=${encodeURIComponent(injected)}`);
    await page.getByText('No message matches.').waitFor();
    expect(await page.getByLabel('Failure reason or code').inputValue()).toBe(injected);
    expect(await page.locator('#injected').count()).toBe(0);
  });

  it('replays a failed message, dry run first, once a template makes it deliverable; the dry-run box shows the template', async () => {
    const reminder = 'Hi Ana, your appointment is on May 3 at 10:00.';
    const failed = await post(reminder, { window: false });
    expect(await deliveryOutcome(h.temporal, failed.workflowId)).toMatchObject({ status: 'failed', code: 'no_template_match' });

    // What would the text become? Before the template: nothing outside the window.
    await page.goto(`/console/locations/${h.location.id}/templates`);
    await page.getByLabel('What would this text become?').fill(reminder);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('row', { name: /outside the window/ }).getByText('no WhatsApp message (no_template_match)').waitFor();

    // Approved in WhatsApp Manager, then synced from the console instead of waiting for the schedule.
    for (const definition of templateDefinitions) h.meta.upsertTemplate(h.location.wabaId, definition);
    await page.getByRole('button', { name: 'Sync templates now' }).click();
    await page.getByRole('status').getByText(`Synced: ${templateDefinitions.length} template(s)`, { exact: false }).waitFor();
    await page.getByLabel('What would this text become?').fill(reminder);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('row', { name: /outside the window/ }).getByText('template appointment_reminder (en_US)').waitFor();
    expect(await page.getByRole('row', { name: /inside the 24-hour window/ }).textContent()).toContain('free text');
    await page.getByRole('cell', { name: 'order_shipped' }).waitFor();

    await page.goto(`/console/messages?location=${h.location.id}&status=failed`);
    await page.getByLabel(`select ${failed.highLevelMessageId} for replay`).check();
    await page.getByLabel('Note').fill('template approved');
    await page.getByRole('button', { name: 'Dry-run replay of the selected' }).click();
    await page.getByRole('heading', { name: 'Replay: dry run' }).waitFor();
    expect(await page.getByRole('row', { name: new RegExp(failed.highLevelMessageId) }).textContent()).toContain('no_template_match');
    // The dry run started nothing.
    expect(h.meta.sentMessages.filter((sent) => sent.to === failed.phone)).toHaveLength(0);

    await page.getByRole('button', { name: 'Replay 1 message(s)' }).click();
    await page.locator('#replay-state', { hasText: 'done' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('row', { name: new RegExp(failed.highLevelMessageId) }).textContent()).toMatch(/done/);
    expect(h.meta.sentMessages.filter((sent) => sent.to === failed.phone)).toHaveLength(1);
    expect(['delivered', 'read']).toContain((await findLedgerEntry(h.db, failed.workflowId))?.status);
    const replayed = (await ledgerTimeline(h.db, failed.workflowId)).filter((event) => event.type === 'replayed');
    expect(replayed).toEqual([expect.objectContaining({ detail: expect.objectContaining({ requestedBy: 'console', note: 'template approved' }) })]);
  });

  it('imports consent from a CSV with a result per row, and looks a number up', async () => {
    const csv = 'phone,status,source,evidence\n+15864449001,opted_in,api_import,signed form\nnot-a-number,opted_in,,\n+15864449002,opted_out,,called in\n';
    await page.goto('/console/consent');
    const form = page.locator('form', { hasText: 'Import a CSV' });
    await form.getByLabel('Location').selectOption(h.location.id);
    await form.getByLabel('CSV file').setInputFiles({ name: 'consent.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await form.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-summary', { hasText: '3 row(s): 2 recorded, 1 not recorded.' }).waitFor();
    expect(await page.getByRole('row', { name: /^2 / }).textContent()).toContain('not recorded');
    expect(await page.content()).not.toContain('+15864449001');
    expect(await currentConsent(h.db, h.location.id, '+15864449001')).toBe('opted_in');
    expect(await currentConsent(h.db, h.location.id, '+15864449002')).toBe('opted_out');

    const lookup = page.locator('form', { hasText: 'Look up a number' });
    await lookup.getByLabel('Location').selectOption(h.location.id);
    await lookup.getByLabel('Phone').fill('+1 586 444 9002');
    await lookup.getByRole('button', { name: 'Look up' }).click();
    await page.locator('#consent-status', { hasText: 'opted_out' }).waitFor();
    expect(await page.getByRole('row', { name: /called in/ }).textContent()).toContain('api_import');
  });

  it('shows a location without its secrets and resumes a paused sender', async () => {
    await pauseSender(h.db, h.location.id, 'WhatsApp error 131048: spam rate limit hit');
    await page.goto('/console/locations');
    await page.getByRole('link', { name: h.location.id }).click();
    await page.getByText('Paused: WhatsApp error 131048: spam rate limit hit').waitFor();
    const content = await page.content();
    for (const secret of [h.location.accessToken, h.location.twilioAuthToken]) expect(content).not.toContain(secret);
    expect(await page.getByRole('definition').filter({ hasText: 'Meta WhatsApp Cloud API' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Resume the sender and release the held messages' }).click();
    await page.getByText('Sender resumed; held messages are being released.').waitFor();
    expect((await findLocation(h.db, h.location.id))?.sender_paused_reason).toBeNull();
  });

  it('charts the messages of each location per day by outcome', async () => {
    await page.goto('/console');
    const chart = page.getByRole('img', { name: `messages per day for ${h.location.id}` });
    await chart.waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const row = page.getByRole('row', { name: new RegExp(`^${today}`) });
    // The delivered free text and the replayed reminder (a template): half needed a template.
    expect(await row.textContent()).toContain('50%');
    expect(await chart.locator('rect').count()).toBeGreaterThanOrEqual(2);
  });
});
