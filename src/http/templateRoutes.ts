import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withBilledAs } from '../domain/costs';
import { contactFieldsFrom, ruleProblems, type RuleDefinition } from '../domain/templateRules';
import { findLocation } from '../store/locations';
import { chooseTemplateForLocation } from '../store/templateContext';
import { createTemplateRule, deleteTemplateRule, findTemplateRule, listTemplateRules, replaceTemplateRule } from '../store/templateRules';
import { findTemplateSettings, listTemplateRows, saveTemplateLanguage, templateStatusHistory, toKnownTemplate } from '../store/templates';
import { templateSyncWorkflowId } from '../../workflows/shared';
import type { SyncTemplatesResult } from '../../workflows/syncTemplates';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, unavailable, zodFields } from './replies';
import { requireAdminToken } from './adminAuth';

const expression = z.string().max(1000);
const language = z.string().regex(/^[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'a Meta language code such as en, en_US or pt_BR');

const ruleSchema = z.strictObject({
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

const dryRunCase = z.strictObject({
  text: z.string().max(10_000),
  windowOpen: z.boolean().default(false),
  attachments: z.array(z.string().url()).max(10).default([]),
  contact: z.strictObject({ fields: z.record(z.string(), z.string()).optional(), language: language.nullish() }).optional(),
});
const dryRunBody = z.union([dryRunCase, z.strictObject({ cases: z.array(dryRunCase).min(1).max(500) })]);

type Params = { locationId: string; ruleId?: string };

/** How long `?wait=true` holds the request before answering 202. */
const WAIT_LIMIT_MS = 60_000;

/** Operator API for templates (Bearer ADMIN_TOKEN): registry, forced sync, rules and the decision dry-run. */
export function registerTemplateRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (admin) => {
    requireAdminToken(admin, ctx);
    admin.addHook('preHandler', async (request: FastifyRequest<{ Params: Params }>, reply) => {
      if (!(await findLocation(ctx.db, request.params.locationId))) return reply.code(404).send({ error: 'unknown location' });
    });

    admin.get<{ Params: Params }>('/admin/locations/:locationId/templates', async (request) => {
      const { locationId } = request.params;
      const [rows, history, settings, location] = await Promise.all([
        listTemplateRows(ctx.db, locationId),
        templateStatusHistory(ctx.db, locationId),
        findTemplateSettings(ctx.db, locationId),
        findLocation(ctx.db, locationId),
      ]);
      return {
        locationId,
        wabaId: location?.whatsapp_waba_id ?? null,
        language: settings?.language ?? null,
        lastSyncedAt: settings?.last_synced_at ?? null,
        lastSyncError: settings?.last_sync_error ?? null,
        lastSyncErrorAt: settings?.last_sync_error_at ?? null,
        templates: rows.map((row) => ({
          ...toKnownTemplate(row),
          statusChangedAt: row.status_changed_at,
          lastSyncedAt: row.last_synced_at,
          history: history
            .filter((change) => change.name === row.name && change.language === row.language)
            .map((change) => ({ from: change.from_status, to: change.to_status, at: change.changed_at })),
        })),
      };
    });

    /** Starts (or joins) the location's sync; `?wait=true` answers with its result. */
    admin.post<{ Params: Params; Querystring: { wait?: string } }>('/admin/locations/:locationId/templates/sync', async (request, reply) => {
      const { locationId } = request.params;
      const location = await findLocation(ctx.db, locationId);
      if (location?.whatsapp_backend === 'twilio' ? !location.twilio_account_sid : !location?.whatsapp_waba_id) {
        const missing = location?.whatsapp_backend === 'twilio' ? 'Twilio account (set twilio.accountSid)' : 'WhatsApp Business Account id (set whatsapp.wabaId)';
        return reply.code(409).send({ error: `the location has no ${missing}` });
      }
      const workflowId = templateSyncWorkflowId(locationId);
      let handle;
      try {
        handle = await ctx.temporal.workflow.start('syncTemplates', {
          taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
          workflowId,
          args: [{ locationId }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `template sync for ${locationId}`,
        });
      } catch (error) {
        request.log.error({ err: error, workflowId }, 'could not start the template sync');
        return unavailable(reply, 'Temporal');
      }
      if (request.query.wait !== 'true') return reply.code(202).send({ started: true, workflowId });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), WAIT_LIMIT_MS)));
      const result = (await Promise.race([handle.result(), timedOut]).finally(() => clearTimeout(timer))) as SyncTemplatesResult | undefined;
      if (!result) return reply.code(202).send({ started: true, workflowId, note: 'still running (is a worker up?); follow the workflow' });
      const failure = result.failed[0];
      if (failure) return reply.code(502).send({ error: `template sync failed: ${failure.reason}`, workflowId, ...result });
      return { workflowId, ...result };
    });

    admin.put<{ Params: Params }>('/admin/locations/:locationId/templates/settings', async (request, reply) => {
      const body = parseBody(request, reply, z.strictObject({ language: language.nullable() }));
      if (!body) return reply;
      await saveTemplateLanguage(ctx.db, request.params.locationId, body.language);
      return { language: body.language };
    });

    /** The decision the workflow would take, by the same code: one case, or `{ cases: [...] }` for a table. */
    admin.post<{ Params: Params }>('/admin/locations/:locationId/templates/dry-run', async (request, reply) => {
      const body = parseBody(request, reply, dryRunBody);
      if (!body) return reply;
      const decide = async (item: z.infer<typeof dryRunCase>) =>
        withBilledAs(
          await chooseTemplateForLocation(ctx.db, {
            locationId: request.params.locationId,
            text: item.text,
            attachments: item.attachments,
            windowOpen: item.windowOpen,
            contact: { fields: contactFieldsFrom(item.contact?.fields), language: item.contact?.language ?? null },
          }),
        );
      if ('cases' in body) return { results: await Promise.all(body.cases.map(decide)) };
      return decide(body);
    });

    admin.get<{ Params: Params }>('/admin/locations/:locationId/template-rules', async (request) => ({
      rules: await listTemplateRules(ctx.db, request.params.locationId),
    }));

    admin.post<{ Params: Params }>('/admin/locations/:locationId/template-rules', async (request, reply) => {
      const rule = parseRule(request, reply);
      if (!rule) return reply;
      return reply.code(201).send(await createTemplateRule(ctx.db, request.params.locationId, rule));
    });

    admin.get<{ Params: Params }>('/admin/locations/:locationId/template-rules/:ruleId', async (request, reply) => {
      const rule = await findTemplateRule(ctx.db, request.params.locationId, request.params.ruleId ?? '');
      return rule ?? reply.code(404).send({ error: 'unknown rule' });
    });

    admin.put<{ Params: Params }>('/admin/locations/:locationId/template-rules/:ruleId', async (request, reply) => {
      const rule = parseRule(request, reply);
      if (!rule) return reply;
      const { locationId, ruleId = '' } = request.params;
      if (!(await replaceTemplateRule(ctx.db, locationId, ruleId, rule))) return reply.code(404).send({ error: 'unknown rule' });
      return { id: ruleId, ...rule };
    });

    admin.delete<{ Params: Params }>('/admin/locations/:locationId/template-rules/:ruleId', async (request, reply) => {
      const { locationId, ruleId = '' } = request.params;
      if (!(await deleteTemplateRule(ctx.db, locationId, ruleId))) return reply.code(404).send({ error: 'unknown rule' });
      return reply.code(204).send();
    });
  });
}

function parseBody<T extends z.ZodType>(request: FastifyRequest, reply: FastifyReply, schema: T): z.infer<T> | undefined {
  const parsed = parseJson(rawBodyOf(request));
  if (!parsed.ok) {
    badRequest(reply, 'body is not valid JSON');
    return undefined;
  }
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    badRequest(reply, 'invalid request body', zodFields(result.error));
    return undefined;
  }
  return result.data;
}

function parseRule(request: FastifyRequest, reply: FastifyReply): RuleDefinition | undefined {
  const body = parseBody(request, reply, ruleSchema);
  if (!body) return undefined;
  const rule: RuleDefinition = { ...body, label: body.label ?? null, template: { name: body.template.name, language: body.template.language ?? null } };
  const problems = ruleProblems(rule);
  if (problems.length === 0) return rule;
  badRequest(reply, 'invalid template rule', problems.map((problem) => ({ field: problem.split(':')[0] ?? '(body)', problem })));
  return undefined;
}
