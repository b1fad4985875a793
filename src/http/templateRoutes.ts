import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { withBilledAs } from '../domain/costs';
import { contactFieldsFrom, ruleProblems, type RuleDefinition } from '../domain/templateRules';
import { findLocation } from '../store/locations';
import { chooseTemplateForLocation } from '../store/templateContext';
import { createTemplateRule, deleteTemplateRule, findTemplateRule, listTemplateRules, replaceTemplateRule } from '../store/templateRules';
import { findTemplateSettings, listTemplateRows, saveTemplateLanguage, templateStatusHistory, toKnownTemplate } from '../store/templates';
import { templateSyncWorkflowId } from '../../workflows/shared';
import type { HttpContext } from './context';
import { badRequest, unavailable } from './replies';
import { syncTemplatesNow } from './templateSync';
import { requireAdminToken } from './adminAuth';
import { adminRoute } from './adminSchemas';
import { templateSchemas as schemas, type dryRunCase, type ruleSchema } from './templateSchemas';

/** How long `?wait=true` holds the request before answering 202. */
const WAIT_LIMIT_MS = 60_000;

/** Operator API for templates (Bearer ADMIN_TOKEN): registry, forced sync, rules and the decision dry-run. */
export function registerTemplateRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (scope) => {
    requireAdminToken(scope, ctx);
    const admin = scope.withTypeProvider<ZodTypeProvider>();
    const route = <Schema extends Parameters<typeof adminRoute>[1]>(schema: Schema) => ({ schema: adminRoute('templates', schema) });
    admin.addHook('preHandler', async (request, reply) => {
      if (!(await findLocation(ctx.db, (request.params as { locationId: string }).locationId))) return reply.code(404).send({ error: 'unknown location' });
    });

    admin.get('/admin/locations/:locationId/templates', route(schemas.registry), async (request) => {
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
    admin.post('/admin/locations/:locationId/templates/sync', route(schemas.sync), async (request, reply) => {
      const outcome = await syncTemplatesNow(ctx, request.params.locationId, request.query.wait === 'true' ? WAIT_LIMIT_MS : 0);
      switch (outcome.kind) {
        case 'not_configured':
          return reply.code(409).send({ error: `the location has no ${outcome.missing}` });
        case 'temporal_unavailable':
          request.log.error({ err: outcome.error, workflowId: templateSyncWorkflowId(request.params.locationId) }, 'could not start the template sync');
          return unavailable(reply, 'Temporal');
        case 'still_running':
          return reply
            .code(202)
            .send({ started: true, workflowId: outcome.workflowId, ...(request.query.wait === 'true' ? { note: 'still running (is a worker up?); follow the workflow' } : {}) });
        case 'done': {
          const failure = outcome.result.failed[0];
          if (failure) return reply.code(502).send({ error: `template sync failed: ${failure.reason}`, workflowId: outcome.workflowId, ...outcome.result });
          return { workflowId: outcome.workflowId, ...outcome.result };
        }
      }
    });

    admin.put('/admin/locations/:locationId/templates/settings', route(schemas.settings), async (request) => {
      const body = request.body;
      await saveTemplateLanguage(ctx.db, request.params.locationId, body.language);
      return { language: body.language };
    });

    /** The decision the workflow would take, by the same code: one case, or `{ cases: [...] }` for a table. */
    admin.post('/admin/locations/:locationId/templates/dry-run', route(schemas.dryRun), async (request) => {
      const body = request.body;
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

    admin.get('/admin/locations/:locationId/template-rules', route(schemas.listRules), async (request) => ({
      rules: await listTemplateRules(ctx.db, request.params.locationId),
    }));

    admin.post('/admin/locations/:locationId/template-rules', route(schemas.createRule), async (request, reply) => {
      const rule = checkedRule(request.body, reply);
      if (!rule) return reply;
      return reply.code(201).send(await createTemplateRule(ctx.db, request.params.locationId, rule));
    });

    admin.get('/admin/locations/:locationId/template-rules/:ruleId', route(schemas.readRule), async (request, reply) => {
      const rule = await findTemplateRule(ctx.db, request.params.locationId, request.params.ruleId);
      return rule ?? reply.code(404).send({ error: 'unknown rule' });
    });

    admin.put('/admin/locations/:locationId/template-rules/:ruleId', route(schemas.replaceRule), async (request, reply) => {
      const rule = checkedRule(request.body, reply);
      if (!rule) return reply;
      const { locationId, ruleId } = request.params;
      if (!(await replaceTemplateRule(ctx.db, locationId, ruleId, rule))) return reply.code(404).send({ error: 'unknown rule' });
      return { id: ruleId, ...rule };
    });

    admin.delete('/admin/locations/:locationId/template-rules/:ruleId', route(schemas.deleteRule), async (request, reply) => {
      const { locationId, ruleId } = request.params;
      if (!(await deleteTemplateRule(ctx.db, locationId, ruleId))) return reply.code(404).send({ error: 'unknown rule' });
      return reply.code(204).send();
    });
  });
}

/** The schema checked the shape; the rule's own checks (its regex compiles, its expressions parse) come here. */
function checkedRule(body: z.output<typeof ruleSchema>, reply: FastifyReply): RuleDefinition | undefined {
  const rule: RuleDefinition = { ...body, label: body.label ?? null, template: { name: body.template.name, language: body.template.language ?? null } };
  const problems = ruleProblems(rule);
  if (problems.length === 0) return rule;
  badRequest(reply, 'invalid template rule', problems.map((problem) => ({ field: problem.split(':')[0] ?? '(body)', problem })));
  return undefined;
}
