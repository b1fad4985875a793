import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idProblem } from '../domain/identifiers';
import { FAILURE_CLASSES } from '../domain/replayRules';
import { ReplayRunner } from '../replay/replayRunner';
import { MAX_REPLAY_MESSAGES, describeReplay, planReplay, requestRelease, requestReplay, type ReplaySelection } from '../replay/replays';
import { deliverWorkflowId } from '../../workflows/shared';
import { requireAdminToken } from './adminAuth';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, zodFields } from './replies';

const id = z.string().superRefine((value, check) => {
  const problem = idProblem(value, 300);
  if (problem) check.addIssue({ code: 'custom', message: problem });
});

/** POST /admin/replays: which failed messages to replay (dry run: only list them). */
const replayRequest = z
  .strictObject({
    locationId: id.optional(),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    /** Last failure code(s): a provider's (131047, 63016, 30003) or ours (no_template_match, sender_paused, …). */
    code: z.union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(50)]).optional(),
    errorClass: z.enum(FAILURE_CLASSES).optional(),
    channel: z.enum(['whatsapp', 'sms', 'none']).optional(),
    /** Ledger ids (deliver:<location>:<message>) or, with locationId, HighLevel message ids. */
    messageIds: z.array(id).min(1).max(MAX_REPLAY_MESSAGES).optional(),
    dryRun: z.boolean().default(false),
    requestedBy: z.string().trim().min(1).max(100).default('admin-api'),
    note: z.string().max(500).optional(),
  })
  .refine((body) => body.locationId !== undefined || body.messageIds !== undefined, { message: 'give a locationId or messageIds', path: ['locationId'] })
  .refine((body) => !body.since || !body.until || Date.parse(body.since) < Date.parse(body.until), { message: 'must be after since', path: ['until'] });

/** Replays of failed messages and releases of held ones; the runner lives as long as the api. */
export function registerReplayRoutes(app: FastifyInstance, ctx: HttpContext): { senderResumed(locationId: string, by: string): Promise<void> } {
  const runner = new ReplayRunner(ctx, app.log);
  app.addHook('onReady', async () => runner.start());
  app.addHook('onClose', async () => runner.stop());

  app.register(async (admin) => {
    requireAdminToken(admin, ctx);

    admin.post('/admin/replays', async (request, reply) => {
      const parsed = parseJson(rawBodyOf(request));
      if (!parsed.ok) return badRequest(reply, 'body is not valid JSON');
      const result = replayRequest.safeParse(parsed.value);
      if (!result.success) return badRequest(reply, 'invalid replay request', zodFields(result.error));
      const { dryRun, requestedBy, note, code, messageIds, ...filter } = result.data;
      const selection: ReplaySelection = {
        ...filter,
        ...(code ? { codes: Array.isArray(code) ? code : [code] } : {}),
        ...(messageIds ? { messageIds: messageIds.map((messageId) => (messageId.startsWith('deliver:') || !filter.locationId ? messageId : deliverWorkflowId(filter.locationId, messageId))) } : {}),
      };
      if (dryRun) return { dryRun: true, ...(await planReplay(ctx.db, selection)) };
      const { id: replayId, plan } = await requestReplay(ctx.db, selection, { requestedBy, ...(note ? { note } : {}) });
      runner.poke();
      const { messages: _messages, ...counts } = plan;
      return reply.code(202).send({ id: replayId, dryRun: false, ...counts, follow: `/admin/replays/${replayId}` });
    });

    admin.get('/admin/replays/:replayId', async (request, reply) => {
      const described = await describeReplay(ctx.db, (request.params as { replayId: string }).replayId);
      return described ?? reply.code(404).send({ error: 'unknown replay' });
    });
  });

  return {
    /** A resumed sender releases its held messages, oldest first, at the location's rate. */
    async senderResumed(locationId, by) {
      if (await requestRelease(ctx.db, locationId, by)) runner.poke();
    },
  };
}
