import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FAILURE_CLASSES } from '../domain/replayRules';
import { ReplayRunner } from '../replay/replayRunner';
import { MAX_REPLAY_MESSAGES, describeReplay, planReplay, requestRelease, requestReplay, type ReplaySelection } from '../replay/replays';
import { deliverWorkflowId } from '../../workflows/shared';
import { requireAdminToken } from './adminAuth';
import type { HttpContext } from './context';
import { adminRoute, errorReply, pathId } from './adminSchemas';

const id = pathId(300);

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

const counts = {
  total: z.number(),
  toReplay: z.number(),
  skipped: z.number(),
  byReason: z.record(z.string(), z.number()).describe('messages to replay by their last failure code'),
  skippedBy: z.record(z.string(), z.number()),
  truncated: z.boolean(),
};
const plannedMessage = z.object({
  messageId: z.string(),
  highLevelMessageId: z.string(),
  status: z.string(),
  action: z.enum(['replay', 'skip']),
  skip: z.string().optional(),
  lastFailure: z.object({ code: z.string(), class: z.enum(FAILURE_CLASSES), reason: z.string(), at: z.string() }),
});
const itemResult = z.enum(['pending', 'replaying', 'done', 'failed', 'skipped']);
const replayView = z.object({
  id: z.string(),
  kind: z.string().describe('replay, or release (held messages of a resumed sender)'),
  requestedBy: z.string(),
  note: z.string().nullable(),
  createdAt: z.date(),
  filter: z.unknown(),
  state: z.enum(['running', 'done']),
  counts: z.object({ total: z.number(), pending: z.number(), replaying: z.number(), done: z.number(), failed: z.number(), skipped: z.number() }),
  messages: z.array(z.looseObject({ messageId: z.string(), highLevelMessageId: z.string().nullable(), result: itemResult, ledgerStatus: z.string().nullable(), runId: z.string().optional() })),
});

const requestSchema = adminRoute('replays', {
  summary: 'Replay failed messages (dryRun: only list what would be replayed)',
  body: replayRequest,
  response: {
    200: z.object({ dryRun: z.literal(true), ...counts, messages: z.array(plannedMessage) }),
    202: z.object({ id: z.string(), dryRun: z.literal(false), ...counts, follow: z.string().describe('GET this for the progress') }),
  },
});
const readSchema = adminRoute('replays', {
  summary: 'A replay’s (or release’s) progress, message by message',
  params: z.object({ replayId: pathId() }),
  response: { 200: replayView, 404: errorReply },
});

/** Replays of failed messages and releases of held ones; the runner lives as long as the api. */
export function registerReplayRoutes(app: FastifyInstance, ctx: HttpContext): { senderResumed(locationId: string, by: string): Promise<void> } {
  const runner = new ReplayRunner(ctx, app.log);
  app.addHook('onReady', async () => runner.start());
  app.addHook('onClose', async () => runner.stop());

  app.register(async (scope) => {
    requireAdminToken(scope, ctx);
    const admin = scope.withTypeProvider<ZodTypeProvider>();

    admin.post('/admin/replays', { schema: requestSchema, config: { invalidRequest: 'invalid replay request' } }, async (request, reply) => {
      const { dryRun, requestedBy, note, code, messageIds, ...filter } = request.body;
      const selection: ReplaySelection = {
        ...filter,
        ...(code ? { codes: Array.isArray(code) ? code : [code] } : {}),
        ...(messageIds ? { messageIds: messageIds.map((messageId) => (messageId.startsWith('deliver:') || !filter.locationId ? messageId : deliverWorkflowId(filter.locationId, messageId))) } : {}),
      };
      if (dryRun) return { dryRun: true as const, ...(await planReplay(ctx.db, selection)) };
      const { id: replayId, plan } = await requestReplay(ctx.db, selection, { requestedBy, ...(note ? { note } : {}) });
      runner.poke();
      const { messages: _messages, ...counts } = plan;
      return reply.code(202).send({ id: replayId, dryRun: false, ...counts, follow: `/admin/replays/${replayId}` });
    });

    admin.get('/admin/replays/:replayId', { schema: readSchema }, async (request, reply) => {
      const described = await describeReplay(ctx.db, request.params.replayId);
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
