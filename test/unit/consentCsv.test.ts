import { rowsFromCsv } from '../../src/http/consentImport';

/** The consent import's CSV reading (csv-parse, RFC 4180), without servers. */
describe('rowsFromCsv', () => {
  it('reads a header naming the columns, quoted cells with commas, quotes and line breaks, CRLF and a BOM', () => {
    const text = '\uFEFFPhone,Status,Evidence\r\n+15864603685,opted_in,"form, signed ""yes""\non paper"\r\n+15864603700,opted_out\r\n\r\n';
    expect(rowsFromCsv(text)).toEqual({
      ok: true,
      rows: [
        { row: 1, values: { phone: '+15864603685', status: 'opted_in', evidence: 'form, signed "yes"\non paper' } },
        { row: 2, values: { phone: '+15864603700', status: 'opted_out', evidence: '' } },
      ],
    });
  });

  it('refuses a file without phone and status columns, and one it cannot read, with the reason', () => {
    expect(rowsFromCsv('name,email\nAna,ana@example.com\n')).toEqual({ ok: false, error: 'the first CSV line must name the columns, including phone and status' });
    const broken = rowsFromCsv('phone,status\n"+15864603685,opted_in\n');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^the CSV cannot be read: /);
  });
});
