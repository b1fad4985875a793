import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveSettings } from '../domain/locationSettings';
import { normalizePhone } from '../domain/phone';
import { appendConsentEntries, consentHistory, currentConsent } from '../store/consent';
import { findLocation } from '../store/locations';
import { MAX_IMPORT_ROWS, rowsFromCsv, rowsFromJson, validateConsentRows } from './consentImport';
import type { HttpContext } from './context';
import { rawBodyOf } from './rawBody';
import { badRequest, unavailable } from './replies';
import { requireAdminToken } from './adminAuth';
import { adminRoute, errorReply, locationParams, pathId } from './adminSchemas';

const CSV_TYPES = ['text/csv', 'application/csv'];
const JSON_FORM = 'body must be { "records": [{ "phone", "status", "source"?, "evidence"? }] } (or text/csv)';

/** The rows are checked one by one (src/http/consentImport.ts): a bad row is reported, never the whole import refused. */
const importBody = z.union([
  z.object({
    records: z.array(z.unknown().describe('{ phone, status: opted_in | opted_out | unknown, source?, evidence? }')),
  }),
  z.string().describe('CSV: a header row naming phone and status (source and evidence optional), RFC 4180 quoting'),
]);
const importSummary = z.object({
  locationId: z.string(),
  received: z.number(),
  recorded: z.number(),
  failed: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string().optional(), problem: z.string() })),
});
const consentStatus = z.enum(['unknown', 'opted_in', 'opted_out']);
const consentView = z.object({
  locationId: z.string(),
  phone: z.string(),
  status: consentStatus,
  history: z.array(z.object({ status: consentStatus, source: z.string(), evidence: z.string().nullable(), recordedAt: z.date() })),
});

const importSchema = adminRoute('consent', {
  summary: 'Record opt-ins and opt-outs in bulk (JSON or CSV); 422 when no row could be recorded',
  consumes: ['application/json', ...CSV_TYPES],
  params: locationParams,
  body: importBody,
  response: { 200: importSummary, 422: importSummary, 404: errorReply, 503: errorReply },
});
const readSchema = adminRoute('consent', {
  summary: 'One number’s consent status and its history',
  params: locationParams.extend({ phone: pathId() }),
  response: { 200: consentView, 404: errorReply },
});

/**
 * Operator API (Bearer ADMIN_TOKEN) for the WhatsApp consent ledger: bulk opt-ins/opt-outs as JSON or CSV
 * (each bad row reported, the good ones recorded) and one number's current status with its history.
 */
export function registerConsentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(CSV_TYPES, { parseAs: 'string' }, (request, body, done) => {
      request.rawBody = body as string;
      done(null, body);
    });
    requireAdminToken(scope, ctx);
    const admin = scope.withTypeProvider<ZodTypeProvider>();

    admin.post('/admin/locations/:locationId/consent', { schema: importSchema, config: { invalidRequest: JSON_FORM } }, async (request, reply) => {
      const { locationId } = request.params;
      const isCsv = CSV_TYPES.includes(String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '');
      const parsed = isCsv ? rowsFromCsv(rawBodyOf(request)) : rowsFromJson(request.body);
      if (!parsed.ok) return badRequest(reply, parsed.error);
      if (parsed.rows.length === 0) return badRequest(reply, 'no rows to record');
      if (parsed.rows.length > MAX_IMPORT_ROWS) return badRequest(reply, `at most ${MAX_IMPORT_ROWS} rows per request`);

      let location;
      try {
        location = await findLocation(ctx.db, locationId);
      } catch (error) {
        request.log.error({ err: error }, 'database unavailable on consent import');
        return unavailable(reply, 'the database');
      }
      if (!location) return reply.code(404).send({ error: `location ${locationId} is not configured` });
      const { defaultCountry } = resolveSettings(location.settings, { receiptTimeoutSeconds: 0, lateReceiptWindowSeconds: 0 });
      const { entries, errors } = validateConsentRows(parsed.rows, { locationId, defaultCountry });
      try {
        await appendConsentEntries(ctx.db, entries);
      } catch (error) {
        request.log.error({ err: error }, 'could not record a consent import');
        return unavailable(reply, 'the database');
      }
      request.log.info({ locationId, recorded: entries.length, failed: errors.length }, 'consent import');
      const summary = { locationId, received: parsed.rows.length, recorded: entries.length, failed: errors.length, errors };
      return reply.code(entries.length === 0 ? 422 : 200).send(summary);
    });

    admin.get('/admin/locations/:locationId/consent/:phone', { schema: readSchema }, async (request, reply) => {
      const { locationId, phone } = request.params;
      const location = await findLocation(ctx.db, locationId);
      if (!location) return reply.code(404).send({ error: `location ${locationId} is not configured` });
      const { defaultCountry } = resolveSettings(location.settings, { receiptTimeoutSeconds: 0, lateReceiptWindowSeconds: 0 });
      const normalized = normalizePhone(phone, defaultCountry);
      if (!normalized.ok) return badRequest(reply, `phone: ${normalized.reason}`);
      const [status, history] = await Promise.all([currentConsent(ctx.db, locationId, normalized.e164), consentHistory(ctx.db, locationId, normalized.e164)]);
      return { locationId, phone: normalized.e164, status, history };
    });
  });
}
