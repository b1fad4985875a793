import { withBilledAs } from '../../src/domain/costs';
import { decideTemplate } from '../../src/domain/templateDecision';
import { adminCall } from '../support/adminApi';
import { startHarness, type Harness, type TestLocation } from '../support/harness';
import { knownTemplates, templateCases, templateDefinitions } from '../support/templateCases';

let h: Harness;
let location: TestLocation;
beforeAll(async () => {
  h = await startHarness();
  location = await h.addLocation();
  for (const definition of templateDefinitions) h.meta.upsertTemplate(location.wabaId, definition);
  const sync = await adminCall(h.apiUrl, 'POST', `/admin/locations/${location.id}/templates/sync?wait=true`);
  expect(sync.status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => adminCall(h.apiUrl, method, path, body);
const rules = () => `/admin/locations/${location.id}/template-rules`;
const dryRun = (body: unknown) => admin('POST', `/admin/locations/${location.id}/templates/dry-run`, body);

const reminderRule = {
  label: 'appointment reminders',
  pattern: { kind: 'regex', source: '^Reminder: (?<date>.+) at (?<time>\\S+)$' },
  template: { name: 'appointment_reminder', language: 'en_US' },
  parameters: { body: ['{{contact.first_name|there}}', '{{match.date}}', '{{match.time}}'] },
};

describe('template admin API', () => {
  it('needs the admin token and a known location', async () => {
    expect((await adminCall(h.apiUrl, 'GET', `/admin/locations/${location.id}/templates`, undefined, 'wrong')).status).toBe(401);
    expect(await admin('GET', '/admin/locations/nope/templates')).toEqual({ status: 404, body: { error: 'unknown location' } });
  });

  it('answers 400 for a location id with a NUL in the path, on every admin route, before any lookup', async () => {
    for (const path of ['/admin/locations/a%00b', '/admin/locations/a%00b/templates', '/admin/locations/a%00b/consent/%2B15550001111']) {
      expect(await admin('GET', path)).toEqual({ status: 400, body: { error: 'locationId contains control characters' } });
    }
  });

  it('dry-runs the whole case table exactly like the pure decision the workflow uses', async () => {
    const cases = templateCases.map((c) => ({ text: c.text, contact: { language: c.contactLanguage ?? null } }));
    const response = await dryRun({ cases });
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(templateCases.length);
    const stored = knownTemplates().sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
    templateCases.forEach((testCase, index) => {
      const result = response.body.results[index];
      if (testCase.locationLanguage) return; // the stored location language is covered below
      const expected = decideTemplate({ text: testCase.text, windowOpen: false, templates: stored, rules: [], contact: { fields: {}, language: testCase.contactLanguage ?? null }, locationLanguage: null });
      expect({ case: testCase.name, result }).toEqual({ case: testCase.name, result: withBilledAs(expected) });
    });
  });

  it("uses the location's stored language", async () => {
    expect(await admin('PUT', `/admin/locations/${location.id}/templates/settings`, { language: 'en_GB' })).toEqual({ status: 200, body: { language: 'en_GB' } });
    expect((await dryRun({ text: 'Your code is 123456.' })).body).toMatchObject({ kind: 'template', template: { name: 'verification_code', language: 'en_GB' } });
    expect((await admin('PUT', `/admin/locations/${location.id}/templates/settings`, { language: 'english' })).status).toBe(400);
    await admin('PUT', `/admin/locations/${location.id}/templates/settings`, { language: null });
    expect((await admin('GET', `/admin/locations/${location.id}/templates`)).body.language).toBeNull();
  });

  it('answers free text inside the window and follows a directive', async () => {
    const text = 'Hi Ana, your appointment is on May 3 at 10:00.';
    expect((await dryRun({ text, windowOpen: true })).body).toEqual({ kind: 'free_text', text, reason: 'inside the 24-hour window: sent as free text', billedAs: 'service' });
    expect((await dryRun({ text: `#wa:appointment_generic\n${text}` })).body).toMatchObject({ kind: 'template', source: 'directive', text, template: { name: 'appointment_generic' }, parameters: { body: ['Ana', 'May 3 at 10:00'] } });
  });

  it('creates, lists, reads, replaces and deletes rules, and the dry-run applies them', async () => {
    const created = await admin('POST', rules(), reminderRule);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^rule_/), priority: 100, enabled: true, whenWindowOpen: 'free_text', ...reminderRule });
    const id = created.body.id as string;
    const second = await admin('POST', rules(), { ...reminderRule, label: 'first', priority: 5, pattern: { kind: 'prefix', value: 'Reminder:' }, parameters: { body: ['{{contact.first_name}}', '{{rest}}', 'soon'] } });
    expect((await admin('GET', rules())).body.rules.map((rule: { id: string }) => rule.id)).toEqual([second.body.id, id]);

    expect((await dryRun({ text: 'Reminder: May 3 at 10:00', contact: { fields: { firstName: 'Ana' } } })).body).toMatchObject({
      kind: 'template',
      source: 'rule',
      ruleId: second.body.id,
      parameters: { body: ['Ana', 'May 3 at 10:00', 'soon'] },
    });
    expect(await admin('DELETE', `${rules()}/${second.body.id}`)).toEqual({ status: 204, body: undefined });
    expect((await dryRun({ text: 'Reminder: May 3 at 10:00' })).body).toMatchObject({ source: 'rule', ruleId: id, parameters: { body: ['there', 'May 3', '10:00'] } });

    const replaced = await admin('PUT', `${rules()}/${id}`, { ...reminderRule, whenWindowOpen: 'template' });
    expect(replaced).toMatchObject({ status: 200, body: { id, whenWindowOpen: 'template' } });
    expect((await admin('GET', `${rules()}/${id}`)).body).toMatchObject({ id, whenWindowOpen: 'template' });
    expect((await dryRun({ text: 'Reminder: May 3 at 10:00', windowOpen: true })).body).toMatchObject({ kind: 'template', reason: expect.stringContaining('forced inside') });

    await admin('DELETE', `${rules()}/${id}`);
    expect((await admin('GET', `${rules()}/${id}`)).status).toBe(404);
    expect((await admin('PUT', `${rules()}/${id}`, reminderRule)).status).toBe(404);
    expect((await admin('DELETE', `${rules()}/${id}`)).status).toBe(404);
  });

  it('rejects invalid rules and dry-run requests with reasons, storing nothing', async () => {
    const badRegex = await admin('POST', rules(), { ...reminderRule, pattern: { kind: 'regex', source: '(?<date>unclosed' } });
    expect(badRegex.status).toBe(400);
    expect(badRegex.body).toMatchObject({ error: 'invalid template rule', fields: expect.arrayContaining([expect.objectContaining({ field: 'pattern.source' })]) });
    // RE2 runs every pattern in linear time; what it cannot express (look-around, back-references) is refused at save.
    const lookBehind = await admin('POST', rules(), { ...reminderRule, pattern: { kind: 'regex', source: '(?<=Dear )(?<name>\\w+)' } });
    expect(lookBehind.status).toBe(400);
    expect(JSON.stringify(lookBehind.body)).toContain('no look-around or back-references');
    const badName = await admin('POST', rules(), { ...reminderRule, template: { name: 'Appointment Reminder' } });
    expect(badName).toMatchObject({ status: 400, body: { error: 'invalid request body', fields: [{ field: 'template.name' }] } });
    expect((await admin('POST', rules(), '{not json')).body).toEqual({ error: 'body is not valid JSON' });
    expect((await admin('POST', rules(), { ...reminderRule, surprise: true })).status).toBe(400);
    expect((await admin('GET', rules())).body.rules).toEqual([]);

    expect(await dryRun({ windowOpen: false })).toMatchObject({ status: 400, body: { error: 'invalid request body' } });
  });
});
