import { z } from 'zod';
import { errorReply, locationParams, pathId } from './adminSchemas';

/** Request and response schemas of the template admin API (src/http/templateRoutes.ts), as documented at /docs. */

const expression = z.string().max(1000);
const language = z.string().regex(/^[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'a Meta language code such as en, en_US or pt_BR');

export const ruleSchema = z.strictObject({
  label: z.string().max(200).nullish(),
  priority: z.number().int().min(0).max(1_000_000).default(100),
  enabled: z.boolean().default(true),
  pattern: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('regex'), source: z.string().min(1).max(2000), flags: z.string().max(4).optional() }),
    z.strictObject({ kind: z.literal('prefix'), value: z.string().min(1).max(500) }),
  ]),
  template: z.strictObject({ name: z.string().max(512).regex(/^[a-z0-9_]+$/, "Meta template names use a-z, 0-9 and '_'"), language: language.nullish() }),
  parameters: z
    .strictObject({
      body: z.union([z.array(expression).max(100), z.record(z.string(), expression)]).optional(),
      header: expression.optional(),
      buttons: z.record(z.string(), expression).optional(),
    })
    .default({}),
  whenWindowOpen: z.enum(['free_text', 'template']).default('free_text'),
});

export const dryRunCase = z.strictObject({
  text: z.string().max(10_000),
  windowOpen: z.boolean().default(false),
  attachments: z.array(z.string().url()).max(10).default([]),
  contact: z.strictObject({ fields: z.record(z.string(), z.string()).optional(), language: language.nullish() }).optional(),
});
const dryRunBody = z.union([dryRunCase, z.strictObject({ cases: z.array(dryRunCase).min(1).max(500) })]);

export const ruleParams = locationParams.extend({ ruleId: pathId() });

const rule = ruleSchema.extend({ id: z.string() });

const knownTemplate = z.object({
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string().describe("Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, … (DELETED once it left the WABA)"),
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']),
  body: z.string(),
  header: z.object({ format: z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']), text: z.string().optional(), exampleMediaUrl: z.string().optional() }).nullable(),
  footer: z.string().nullable(),
  buttons: z.array(z.object({ index: z.number(), type: z.string(), text: z.string(), url: z.string().optional() })),
});

const registry = z.object({
  locationId: z.string(),
  wabaId: z.string().nullable(),
  language: z.string().nullable(),
  lastSyncedAt: z.date().nullable(),
  lastSyncError: z.string().nullable(),
  lastSyncErrorAt: z.date().nullable(),
  templates: z.array(
    knownTemplate.extend({
      statusChangedAt: z.date().nullable(),
      lastSyncedAt: z.date(),
      history: z.array(z.object({ from: z.string().nullable(), to: z.string(), at: z.date() })),
    }),
  ),
});

const syncResult = z.object({
  synced: z.array(z.object({ locationId: z.string(), wabaId: z.string(), templates: z.number(), changes: z.array(z.object({ name: z.string(), language: z.string(), from: z.string().nullable(), to: z.string() })), syncedAt: z.string() })),
  failed: z.array(z.object({ locationId: z.string(), reason: z.string() })),
});

/** What the workflow would send (src/domain/templateDecision.ts). */
const decision = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('free_text'), text: z.string(), reason: z.string() }),
  z.object({
    kind: z.literal('template'),
    text: z.string(),
    source: z.enum(['rule', 'directive', 'match']),
    template: z.object({ name: z.string(), language: z.string(), category: z.string(), components: z.array(z.looseObject({ type: z.string() })) }),
    parameters: z.object({ body: z.array(z.string()), bodyNames: z.array(z.string()).optional(), header: z.string().optional(), buttons: z.record(z.string(), z.string()).optional() }),
    attachmentsUsed: z.array(z.string()),
    ruleId: z.string().optional(),
    reason: z.string(),
  }),
  z.object({ kind: z.literal('none'), text: z.string(), code: z.string(), reason: z.string() }),
]);

const unknownLocation = { 404: errorReply };

export const templateSchemas = {
  registry: { summary: 'The location’s template registry with status history', params: locationParams, response: { 200: registry, ...unknownLocation } },
  sync: {
    summary: 'Start (or join) the location’s template sync; ?wait=true answers with its result',
    params: locationParams,
    querystring: z.object({ wait: z.enum(['true', 'false']).optional() }),
    response: {
      200: syncResult.extend({ workflowId: z.string() }),
      202: z.object({ started: z.literal(true), workflowId: z.string(), note: z.string().optional() }),
      409: errorReply,
      502: syncResult.extend({ error: z.string(), workflowId: z.string() }),
      503: errorReply,
      ...unknownLocation,
    },
  },
  settings: {
    summary: 'Set the location’s template language',
    params: locationParams,
    body: z.strictObject({ language: language.nullable() }),
    response: { 200: z.object({ language: z.string().nullable() }), ...unknownLocation },
  },
  dryRun: {
    summary: 'The template decision the workflow would take, for one case or a table of cases',
    params: locationParams,
    body: dryRunBody,
    response: { 200: z.union([decision, z.object({ results: z.array(decision) })]), ...unknownLocation },
  },
  listRules: { summary: 'The location’s template rules, in the order they run', params: locationParams, response: { 200: z.object({ rules: z.array(rule) }), ...unknownLocation } },
  createRule: { summary: 'Add a template rule', params: locationParams, body: ruleSchema, response: { 201: rule, ...unknownLocation } },
  readRule: { summary: 'One template rule', params: ruleParams, response: { 200: rule, ...unknownLocation } },
  replaceRule: { summary: 'Replace a template rule', params: ruleParams, body: ruleSchema, response: { 200: rule, ...unknownLocation } },
  deleteRule: { summary: 'Delete a template rule', params: ruleParams, response: { 204: z.undefined().describe('Deleted'), ...unknownLocation } },
};
