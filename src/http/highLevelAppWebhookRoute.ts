import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/database';
import { verifyHighLevelSignature } from '../providers/highlevel/signature';
import { locationsOfCompany, markInstalled, markUninstalled, recordAppWebhook } from '../store/installs';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, unavailable, zodFields } from './replies';

/** INSTALL / UNINSTALL as HighLevel posts them to the app's Webhook URL (highlevel.md §7); other fields pass through. */
const appEvent = z.looseObject({
  type: z.string().min(1),
  locationId: z.string().nullish(),
  companyId: z.string().nullish(),
  webhookId: z.string().nullish(),
  timestamp: z.string().nullish(),
});

type AppEvent = z.infer<typeof appEvent>;

export function registerHighLevelAppWebhookRoute(app: FastifyInstance, ctx: HttpContext): void {
  app.post('/webhooks/highlevel/app', async (request, reply) => {
    const raw = rawBodyOf(request);
    const signature = request.headers['x-ghl-signature'];
    const signed = verifyHighLevelSignature(Buffer.from(raw, 'utf8'), Array.isArray(signature) ? signature[0] : signature, ctx.config.HIGHLEVEL_WEBHOOK_PUBLIC_KEY);
    if (!signed) return reply.code(401).send({ error: 'invalid or missing X-GHL-Signature' });
    const parsed = parseJson(raw);
    if (!parsed.ok) return badRequest(reply, 'body is not valid JSON');
    const result = appEvent.safeParse(parsed.value);
    if (!result.success) return badRequest(reply, 'invalid app webhook', zodFields(result.error));
    const event = result.data;
    if (event.type !== 'INSTALL' && event.type !== 'UNINSTALL') return { received: true, ignored: `type "${event.type}" is not handled by this app` };
    if (!event.locationId && !event.companyId) return badRequest(reply, `${event.type} names neither locationId nor companyId`);

    try {
      const outcome = await ctx.db.transaction().execute(async (trx) => {
        // Recorded in the same transaction as its effect: a failure leaves the redelivery free to try again.
        if (event.webhookId) {
          const first = await recordAppWebhook(trx, { webhookId: event.webhookId, type: event.type, locationId: event.locationId ?? undefined, companyId: event.companyId ?? undefined });
          if (!first) return { duplicate: true };
        }
        return event.type === 'INSTALL' ? applyInstall(trx, event) : applyUninstall(trx, event);
      });
      request.log.info({ type: event.type, locationId: event.locationId, companyId: event.companyId, webhookId: event.webhookId, ...outcome }, 'HighLevel app webhook');
      return { received: true, ...outcome };
    } catch (error) {
      request.log.error({ err: error }, 'database unavailable on the app webhook');
      return unavailable(reply, 'the database');
    }
  });
}

/** A location install creates the minimal row when missing; an agency-level one names no location to record. */
async function applyInstall(db: Db, event: AppEvent): Promise<Record<string, unknown>> {
  if (!event.locationId) return { ignored: 'agency-level install: each location is installed through the OAuth callback' };
  const applied = await markInstalled(db, event.locationId, event.companyId ?? null, occurredAt(event));
  return applied ? { installed: [event.locationId] } : { ignored: 'older than the last UNINSTALL of this location' };
}

/** A location's tokens go and its Delivery URL answers 404; an agency uninstall does that for all its locations. */
async function applyUninstall(db: Db, event: AppEvent): Promise<Record<string, unknown>> {
  const locationIds = event.locationId ? [event.locationId] : await locationsOfCompany(db, event.companyId as string);
  return { uninstalled: await markUninstalled(db, locationIds, occurredAt(event)) };
}

/**
 * HighLevel's own event time when given (a reordered redelivery then cannot undo a newer change), else now;
 * never in the future, so a clock ahead of ours cannot block the next install.
 */
function occurredAt(event: AppEvent): Date {
  const given = event.timestamp ? Date.parse(event.timestamp) : Number.NaN;
  return new Date(Number.isNaN(given) ? Date.now() : Math.min(given, Date.now()));
}
