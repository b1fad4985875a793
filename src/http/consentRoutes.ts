import type { FastifyInstance } from 'fastify';
import { resolveSettings } from '../domain/locationSettings';
import { normalizePhone } from '../domain/phone';
import { currentConsent } from '../store/consent';
import { appendConsentEntries, consentHistory } from '../store/consentLedger';
import { findLocation } from '../store/locations';
import { MAX_IMPORT_ROWS, rowsFromCsv, rowsFromJson, validateConsentRows } from './consentImport';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, unavailable } from './replies';
import { requireAdminToken } from './adminAuth';

const CSV_TYPES = ['text/csv', 'application/csv'];

/**
 * Operator API (Bearer ADMIN_TOKEN) for the WhatsApp consent ledger: bulk opt-ins/opt-outs as JSON or CSV
 * (each bad row reported, the good ones recorded) and one number's current status with its history.
 */
export function registerConsentRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (admin) => {
    admin.addContentTypeParser(CSV_TYPES, { parseAs: 'string' }, (request, body, done) => {
      request.rawBody = body as string;
      done(null, body);
    });
    requireAdminToken(admin, ctx);

    admin.post('/admin/locations/:locationId/consent', async (request, reply) => {
      const { locationId } = request.params as { locationId: string };
      const isCsv = CSV_TYPES.includes(String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '');
      const raw = rawBodyOf(request);
      let parsed: ReturnType<typeof rowsFromCsv>;
      if (isCsv) parsed = rowsFromCsv(raw);
      else {
        const json = parseJson(raw);
        if (!json.ok) return badRequest(reply, 'body is not valid JSON (send text/csv for CSV)');
        parsed = rowsFromJson(json.value);
      }
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

    admin.get('/admin/locations/:locationId/consent/:phone', async (request, reply) => {
      const { locationId, phone } = request.params as { locationId: string; phone: string };
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
