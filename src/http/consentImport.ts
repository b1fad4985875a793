import type { ConsentStatus } from '../domain/consent';
import { normalizePhone } from '../domain/phone';
import { CONSENT_SOURCES, type ConsentEntry } from '../store/consent';
import { parse } from 'csv-parse/sync';

/** One row of a bulk consent import as given (JSON object or CSV line); `row` is 1-based over data rows. */
export interface RawConsentRow {
  row: number;
  values: Record<string, unknown>;
}

export interface RowError {
  row: number;
  field?: string;
  problem: string;
}

export const MAX_IMPORT_ROWS = 10_000;

const STATUS_ALIASES: Record<string, ConsentStatus> = {
  opted_in: 'opted_in', opt_in: 'opted_in', optin: 'opted_in',
  opted_out: 'opted_out', opt_out: 'opted_out', optout: 'opted_out',
  unknown: 'unknown',
};
const COLUMN_ALIASES: Record<string, string> = { number: 'phone', phone_number: 'phone', consent: 'status', note: 'evidence' };

/** Keeps the valid rows as ledger entries and reports every other row with the field and the reason. */
export function validateConsentRows(rows: RawConsentRow[], options: { locationId: string; defaultCountry: string }): { entries: ConsentEntry[]; errors: RowError[] } {
  const entries: ConsentEntry[] = [];
  const errors: RowError[] = [];
  for (const { row, values } of rows) {
    const text = (field: string) => (typeof values[field] === 'string' || typeof values[field] === 'number' ? String(values[field]).trim() : '');
    const phone = normalizePhone(text('phone'), options.defaultCountry);
    if (!phone.ok) {
      errors.push({ row, field: 'phone', problem: phone.reason });
      continue;
    }
    const status = STATUS_ALIASES[text('status').toLowerCase().replace(/[\s-]+/g, '_')];
    if (!status) {
      errors.push({ row, field: 'status', problem: 'must be opted_in, opted_out or unknown' });
      continue;
    }
    const source = text('source').toLowerCase() || 'api_import';
    if (!(CONSENT_SOURCES as readonly string[]).includes(source)) {
      errors.push({ row, field: 'source', problem: `must be one of ${CONSENT_SOURCES.join(', ')}` });
      continue;
    }
    const evidence = text('evidence');
    if (evidence.length > 1000) {
      errors.push({ row, field: 'evidence', problem: 'must be at most 1000 characters' });
      continue;
    }
    entries.push({ locationId: options.locationId, phoneE164: phone.e164, status, source, evidence: evidence || null });
  }
  return { entries, errors };
}

/** The JSON form: `{ "records": [{ phone, status, source?, evidence? }, …] }`. */
export function rowsFromJson(body: unknown): { ok: true; rows: RawConsentRow[] } | { ok: false; error: string } {
  const records = (body as { records?: unknown })?.records;
  if (!Array.isArray(records)) return { ok: false, error: 'body must be { "records": [{ "phone", "status", "source"?, "evidence"? }] }' };
  return { ok: true, rows: records.map((record, index) => ({ row: index + 1, values: isObject(record) ? record : {} })) };
}

/** The CSV form: a header row naming phone and status (source and evidence optional), RFC 4180 quoting. */
export function rowsFromCsv(text: string): { ok: true; rows: RawConsentRow[] } | { ok: false; error: string } {
  let lines: string[][];
  try {
    // RFC 4180: quoted cells may hold commas, quotes ("") and line breaks; rows may be short.
    lines = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    return { ok: false, error: `the CSV cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  lines = lines.filter((cells) => cells.some((cell) => cell.trim() !== ''));
  const header = lines.shift()?.map((name) => {
    const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
    return COLUMN_ALIASES[key] ?? key;
  });
  if (!header || !header.includes('phone') || !header.includes('status')) return { ok: false, error: 'the first CSV line must name the columns, including phone and status' };
  return { ok: true, rows: lines.map((cells, index) => ({ row: index + 1, values: Object.fromEntries(header.map((name, column) => [name, cells[column] ?? ''])) })) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
