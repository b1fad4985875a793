import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LocationRow } from '../db/schema';
import { resolveSettings } from '../domain/locationSettings';
import { normalizePhone } from '../domain/phone';
import { MAX_IMPORT_ROWS, rowsFromCsv, validateConsentRows, type RawConsentRow } from '../http/consentImport';
import type { HttpContext } from '../http/context';
import { maskPhone } from '../logging';
import { appendConsentEntries, consentHistory, currentConsent } from '../store/consent';
import { findLocation, listLocations } from '../store/locations';
import { html, type Html } from './html';
import { fieldsOf, sendPage, when } from './respond';

/** The CSV as a file (or pasted); the multipart limits of the console scope bound its size. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;

/**
 * Consent: one number's status and history, and the CSV import of POST /admin/locations/:id/consent (same parser and
 * validation, src/http/consentImport.ts) with the result of every row. The import's rows show masked numbers.
 */
export function registerConsentPages(scope: FastifyInstance, ctx: HttpContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = fieldsOf(request) as { location?: string; phone?: string };
    const locations = await listLocations(ctx.db);
    const location = query.location ? locations.find((row) => row.id === query.location) : undefined;
    let lookup: Html = html``;
    let error: string | undefined;
    if (query.location && !location) error = `No location ${query.location}.`;
    else if (location && query.phone?.trim()) {
      const normalized = normalizePhone(query.phone, defaultCountryOf(ctx, location));
      if (!normalized.ok) error = `Phone: ${normalized.reason}`;
      else {
        const [status, history] = await Promise.all([currentConsent(ctx.db, location.id, normalized.e164), consentHistory(ctx.db, location.id, normalized.e164)]);
        lookup = html`<p>${normalized.e164}: <strong id="consent-status">${status}</strong></p>
${history.length === 0 ? html`<p>Nothing on record.</p>` : html`<table><thead><tr><th>Recorded</th><th>Status</th><th>Source</th><th>Evidence</th></tr></thead><tbody>
${history.map((entry) => html`<tr><td>${when(entry.recordedAt)}</td><td>${entry.status}</td><td>${entry.source}</td><td>${entry.evidence}</td></tr>`)}</tbody></table>`}`;
      }
    }
    return sendPage(reply, error ? 400 : 200, { title: 'Consent', error, body: html`${lookupForm(locations, query)}${lookup}${importForm(locations, query.location)}` });
  };
  scope.get('/console/consent', show);
  scope.post('/console/consent', show);

  scope.post('/console/consent/import', async (request, reply) => {
    const locations = await listLocations(ctx.db);
    const form = await readImportForm(request);
    const page = (status: number, error: string | undefined, results: Html = html``) =>
      sendPage(reply, status, { title: 'Consent import', error, body: html`${results}${lookupForm(locations, { location: form.ok ? form.location : undefined })}${importForm(locations, form.ok ? form.location : undefined)}` });
    if (!form.ok) return page(400, form.error);
    const location = await findLocation(ctx.db, form.location);
    if (!location) return page(400, 'Choose a location.');
    const parsed = rowsFromCsv(form.csv);
    if (!parsed.ok) return page(400, parsed.error);
    if (parsed.rows.length === 0) return page(400, 'No rows to record.');
    if (parsed.rows.length > MAX_IMPORT_ROWS) return page(400, `At most ${MAX_IMPORT_ROWS} rows per import.`);
    const { entries, errors } = validateConsentRows(parsed.rows, { locationId: location.id, defaultCountry: defaultCountryOf(ctx, location) });
    await appendConsentEntries(ctx.db, entries);
    request.log.info({ locationId: location.id, recorded: entries.length, failed: errors.length }, 'consent import (console)');
    return page(entries.length === 0 ? 422 : 200, undefined, importResults(parsed.rows, entries.map((entry) => entry.phoneE164), errors));
  });
}

function defaultCountryOf(ctx: HttpContext, location: LocationRow): string {
  return resolveSettings(location.settings, { receiptTimeoutSeconds: ctx.config.RECEIPT_TIMEOUT_SECONDS, lateReceiptWindowSeconds: ctx.config.LATE_RECEIPT_WINDOW_SECONDS }).defaultCountry;
}

function locationSelect(locations: LocationRow[], selected: string | undefined): Html {
  return html`<select name="location" required><option value="">choose…</option>${locations.map((row) => html`<option value="${row.id}"${row.id === selected ? html` selected` : ''}>${row.name ? `${row.name} (${row.id})` : row.id}</option>`)}</select>`;
}

function lookupForm(locations: LocationRow[], query: { location?: string; phone?: string }): Html {
  return html`<form method="post" action="/console/consent"><fieldset><legend>Look up a number</legend>
<label>Location ${locationSelect(locations, query.location)}</label><label>Phone <input name="phone" value="${query.phone ?? ''}" required></label>
<button type="submit">Look up</button></fieldset></form>`;
}

function importForm(locations: LocationRow[], selected: string | undefined): Html {
  return html`<form method="post" action="/console/consent/import" enctype="multipart/form-data"><fieldset><legend>Import a CSV</legend>
<p class="muted">Columns: phone, status (opted_in, opted_out, unknown), optional source and evidence; the first line names them.</p>
<label>Location ${locationSelect(locations, selected)}</label><label>CSV file <input type="file" name="file" accept=".csv,text/csv"></label>
<br><label for="consent-csv">or paste it</label><br><textarea id="consent-csv" name="csv" rows="4" cols="80"></textarea><br>
<button type="submit">Import</button></fieldset></form>`;
}

type ImportForm = { ok: true; location: string; csv: string } | { ok: false; error: string };

async function readImportForm(request: FastifyRequest): Promise<ImportForm> {
  if (!request.isMultipart()) return { ok: false, error: 'Send the import form.' };
  const fields: Record<string, string> = {};
  let file = '';
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') file = (await part.toBuffer()).toString('utf8');
      else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (error) {
    return { ok: false, error: `The upload could not be read: ${(error as Error).message}` };
  }
  const csv = file.trim() ? file : (fields.csv ?? '');
  if (!csv.trim()) return { ok: false, error: 'Choose a CSV file or paste its text.' };
  return { ok: true, location: fields.location ?? '', csv };
}

function importResults(rows: RawConsentRow[], recordedPhones: string[], errors: Array<{ row: number; field?: string; problem: string }>): Html {
  const byRow = new Map(errors.map((error) => [error.row, error]));
  let recorded = 0;
  const lines = rows.map((row) => {
    const error = byRow.get(row.row);
    if (error) return html`<tr><td>${row.row}</td><td class="status-failed">not recorded</td><td>${error.field ? `${error.field}: ` : ''}${error.problem}</td></tr>`;
    const phone = recordedPhones[recorded++];
    return html`<tr><td>${row.row}</td><td>recorded</td><td>${maskPhone(phone)}: ${String(row.values.status ?? '')}</td></tr>`;
  });
  return html`<p id="import-summary">${rows.length} row(s): ${recordedPhones.length} recorded, ${errors.length} not recorded.</p>
<table><thead><tr><th>Row</th><th>Result</th><th>Detail</th></tr></thead><tbody>${lines}</tbody></table>`;
}
