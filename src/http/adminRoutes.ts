import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LocationRow } from '../db/schema';
import type { HighLevelTokenStore } from '../providers/highlevel/tokenStore';
import { sha256Hex } from '../security/secretBox';
import { findLedgerEntry, ledgerTimeline } from '../store/ledger';
import { markInstalled } from '../store/installs';
import { findLocation, upsertLocation } from '../store/locations';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HttpContext } from './context';
import { badRequest } from './replies';
import { requireAdminToken } from './adminAuth';
import { adminRoute, errorReply, locationParams, pathId } from './adminSchemas';
import { findHighLevelTokens } from '../store/highLevelTokens';

const locationSettings = z.strictObject({
  receiptTimeoutSeconds: z.number().int().positive().optional(),
  lateReceiptWindowSeconds: z.number().int().positive().optional(),
  defaultCountry: z.string().length(2).optional(),
  treatUnknownConsentAsOptedIn: z.boolean().optional(),
  markInboundAsRead: z.boolean().optional(),
  optOutKeywords: z.array(z.string().trim().min(1).max(40)).max(50).optional(),
  optInKeywords: z.array(z.string().trim().min(1).max(40)).max(50).optional(),
  useDefaultKeywords: z.boolean().optional(),
  optOutTag: z.string().max(100).optional(),
  optOutConfirmation: z.string().max(1024).optional(),
  optInConfirmation: z.string().max(1024).optional(),
  treatInboundAsOptIn: z.boolean().optional(),
  // The SMS fallback through the location's Twilio account (whatever its WhatsApp back end).
  smsFallback: z.boolean().optional(),
  smsFallbackDeadlineSeconds: z.number().int().positive().max(86_400).optional(),
  smsFallbackOn: z
    .array(z.enum(['no_receipt', 'not_on_whatsapp', 'no_template', 'no_whatsapp_consent', 'whatsapp_opt_out', 'whatsapp_unavailable']))
    .max(6)
    .optional(),
  heldMaxAgeSeconds: z.number().int().positive().max(7 * 86_400).optional(),
  releasePerSecond: z.number().positive().max(100).optional(),
});

const locationConfig = z.strictObject({
  name: z.string().optional(),
  companyId: z.string().optional(),
  whatsapp: z
    .strictObject({
      backend: z.enum(['cloud', 'twilio']).default('cloud'),
      phoneNumberId: z.string().min(1).optional(),
      wabaId: z.string().min(1).optional(),
      accessToken: z.string().min(1).optional(),
    })
    .optional(),
  /** Twilio: the WhatsApp back end (whatsapp.backend 'twilio'), the SMS fallback, or both. */
  twilio: z
    .strictObject({
      accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID: AC followed by 32 hex characters').optional(),
      authToken: z.string().min(1).optional(),
      whatsAppFrom: z.string().regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'the WhatsApp sender in E.164, e.g. +14155238886').optional(),
      smsFrom: z.string().regex(/^(\+[1-9]\d{6,14}|\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'an E.164 number, a short code or an alphanumeric sender id').optional(),
      messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'a Messaging Service SID: MG followed by 32 hex characters').optional(),
    })
    .optional(),
  highLevel: z
    .strictObject({ accessToken: z.string().min(1), refreshToken: z.string().min(1).optional(), expiresIn: z.number().int().positive().default(86_399) })
    .optional(),
  deliveryToken: z.string().min(24, 'use at least 24 random characters').optional(),
  settings: locationSettings.optional(),
  /** Clears the pause and releases the held messages (src/replay). */
  resumeSender: z.boolean().optional(),
});

export type LocationConfigInput = z.input<typeof locationConfig>;

/** What GET/PUT /admin/locations/:locationId answer: the configuration, secrets only as "is set". */
const locationView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  companyId: z.string().nullable(),
  whatsapp: z.object({
    backend: z.enum(['cloud', 'twilio']),
    phoneNumberId: z.string().nullable(),
    wabaId: z.string().nullable(),
    hasAccessToken: z.boolean(),
    senderPausedReason: z.string().nullable(),
    lastAccountError: z
      .object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), details: z.string().optional(), href: z.string().optional(), at: z.string() })
      .nullable()
      .describe("The last account-level error Meta reported in a webhook's value.errors"),
  }),
  twilio: z.object({
    accountSid: z.string().nullable(),
    hasAuthToken: z.boolean(),
    whatsAppFrom: z.string().nullable(),
    smsFrom: z.string().nullable(),
    messagingServiceSid: z.string().nullable(),
  }),
  highLevel: z.object({
    installed: z.boolean(),
    tokenExpiresAt: z.date().nullable(),
    installedAt: z.date().nullable(),
    uninstalledAt: z.date().nullable(),
  }),
  deliveryTokenConfigured: z.boolean(),
  settings: z.object(locationSettings.shape),
});

/** GET /admin/messages/:messageId: the ledger row (columns as stored) and its timeline, oldest first. */
const messageView = z.object({
  message: z.looseObject({ id: z.string(), location_id: z.string(), status: z.string() }),
  timeline: z.array(z.looseObject({ type: z.string(), detail: z.record(z.string(), z.unknown()), occurred_at: z.date() })),
});

/** Operator API (Bearer ADMIN_TOKEN): configure locations, read a message's ledger. */
export function registerAdminRoutes(app: FastifyInstance, ctx: HttpContext, replays?: { senderResumed(locationId: string, by: string): Promise<void> }): void {
  app.register(async (scope) => {
    requireAdminToken(scope, ctx);
    const admin = scope.withTypeProvider<ZodTypeProvider>();

    const configure = { summary: 'Create or update a location', params: locationParams, body: locationConfig, response: { 200: locationView, 201: locationView } };
    admin.put('/admin/locations/:locationId', { schema: adminRoute('locations', configure), config: { invalidRequest: 'invalid location configuration' } }, async (request, reply) => {
      const { locationId } = request.params;
      const input = request.body;
      const existing = await findLocation(ctx.db, locationId);
      const twilio = twilioColumns(ctx, input.twilio, existing);
      const backend = input.whatsapp?.backend ?? existing?.whatsapp_backend ?? 'cloud';
      const missing = backend === 'twilio' ? missingForTwilioWhatsApp(twilio) : [];
      if (missing.length > 0) return badRequest(reply, 'invalid location configuration', missing);
      await upsertLocation(ctx.db, {
        id: locationId,
        name: input.name ?? existing?.name ?? null,
        company_id: input.companyId ?? existing?.company_id ?? null,
        whatsapp_backend: backend,
        whatsapp_phone_number_id: input.whatsapp?.phoneNumberId ?? existing?.whatsapp_phone_number_id ?? null,
        whatsapp_waba_id: input.whatsapp?.wabaId ?? existing?.whatsapp_waba_id ?? null,
        whatsapp_access_token_enc: input.whatsapp?.accessToken ? ctx.box.encrypt(input.whatsapp.accessToken) : (existing?.whatsapp_access_token_enc ?? null),
        ...twilio,
        delivery_token_hash: input.deliveryToken ? sha256Hex(input.deliveryToken) : (existing?.delivery_token_hash ?? null),
        sender_paused_reason: input.resumeSender ? null : (existing?.sender_paused_reason ?? null),
        settings: { ...(existing?.settings ?? {}), ...(input.settings ?? {}) },
      });
      if (input.highLevel) {
        await (ctx.tokens as HighLevelTokenStore).store(locationId, {
          access_token: input.highLevel.accessToken,
          refresh_token: input.highLevel.refreshToken,
          expires_in: input.highLevel.expiresIn,
          companyId: input.companyId ?? existing?.company_id ?? null,
        });
        // Tokens given by an operator count as an install (and undo an earlier UNINSTALL).
        await markInstalled(ctx.db, locationId, input.companyId ?? existing?.company_id ?? null);
      }
      // Written before the held messages are listed (holdDelivery does the reverse): none is left held.
      if (input.resumeSender) await replays?.senderResumed(locationId, 'resumeSender');
      const saved = await describeLocation(ctx, locationId);
      if (!saved) throw new Error('the location is gone right after its upsert');
      return reply.code(existing ? 200 : 201).send(saved);
    });

    const read = { summary: 'A location’s configuration', params: locationParams, response: { 200: locationView, 404: errorReply } };
    admin.get('/admin/locations/:locationId', { schema: adminRoute('locations', read) }, async (request, reply) => {
      const described = await describeLocation(ctx, request.params.locationId);
      return described ?? reply.code(404).send({ error: 'unknown location' });
    });

    /** The ledger row and timeline of one message: what ops read next to the workflow in the Temporal UI. */
    const message = { summary: 'A message’s ledger row and timeline', params: z.object({ messageId: pathId() }), response: { 200: messageView, 404: errorReply } };
    admin.get('/admin/messages/:messageId', { schema: adminRoute('messages', message) }, async (request, reply) => {
      const { messageId } = request.params;
      const message = await findLedgerEntry(ctx.db, messageId);
      if (!message) return reply.code(404).send({ error: 'unknown message' });
      return { message, timeline: await ledgerTimeline(ctx.db, messageId) };
    });
  });
}

export async function describeLocation(ctx: Pick<HttpContext, 'db'>, locationId: string) {
  const location = await findLocation(ctx.db, locationId);
  if (!location) return undefined;
  const token = await findHighLevelTokens(ctx.db, locationId);
  return {
    id: location.id,
    name: location.name,
    companyId: location.company_id,
    whatsapp: {
      backend: location.whatsapp_backend,
      phoneNumberId: location.whatsapp_phone_number_id,
      wabaId: location.whatsapp_waba_id,
      hasAccessToken: !!location.whatsapp_access_token_enc,
      senderPausedReason: location.sender_paused_reason,
      lastAccountError: location.whatsapp_account_error ?? null,
    },
    twilio: {
      accountSid: location.twilio_account_sid,
      hasAuthToken: !!location.twilio_auth_token_enc,
      whatsAppFrom: location.twilio_whatsapp_from,
      smsFrom: location.twilio_sms_from,
      messagingServiceSid: location.twilio_messaging_service_sid,
    },
    highLevel: {
      installed: !!token && !location.uninstalled_at,
      tokenExpiresAt: token?.expires_at ?? null,
      installedAt: location.installed_at,
      uninstalledAt: location.uninstalled_at,
    },
    deliveryTokenConfigured: !!location.delivery_token_hash,
    settings: location.settings,
  };
}

type TwilioColumns = Pick<LocationRow, 'twilio_account_sid' | 'twilio_auth_token_enc' | 'twilio_whatsapp_from' | 'twilio_sms_from' | 'twilio_messaging_service_sid'>;

/** What was given replaces what is stored, field by field; the auth token is sealed, the WhatsApp number kept bare. */
function twilioColumns(ctx: HttpContext, given: LocationConfigInput['twilio'], existing: LocationRow | undefined): TwilioColumns {
  return {
    twilio_account_sid: given?.accountSid ?? existing?.twilio_account_sid ?? null,
    twilio_auth_token_enc: given?.authToken ? ctx.box.encrypt(given.authToken) : (existing?.twilio_auth_token_enc ?? null),
    twilio_whatsapp_from: given?.whatsAppFrom?.replace(/^whatsapp:/, '') ?? existing?.twilio_whatsapp_from ?? null,
    twilio_sms_from: given?.smsFrom ?? existing?.twilio_sms_from ?? null,
    twilio_messaging_service_sid: given?.messagingServiceSid ?? existing?.twilio_messaging_service_sid ?? null,
  };
}

/** WhatsApp over Twilio needs the account, its token and a sender (number or Messaging Service). */
function missingForTwilioWhatsApp(twilio: TwilioColumns): Array<{ field: string; problem: string }> {
  const missing: Array<{ field: string; problem: string }> = [];
  if (!twilio.twilio_account_sid) missing.push({ field: 'twilio.accountSid', problem: "required when whatsapp.backend is 'twilio'" });
  if (!twilio.twilio_auth_token_enc) missing.push({ field: 'twilio.authToken', problem: "required when whatsapp.backend is 'twilio'" });
  if (!twilio.twilio_whatsapp_from && !twilio.twilio_messaging_service_sid) {
    missing.push({ field: 'twilio.whatsAppFrom', problem: "a WhatsApp sender (or twilio.messagingServiceSid) is required when whatsapp.backend is 'twilio'" });
  }
  return missing;
}
