/**
 * Whether a downloaded WhatsApp file is the media object it claims to be (whatsapp.md A.3: the lookup answers
 * `mime_type` and `file_size`). A CDN that refuses a client answers 200 with an HTML page: that must never reach
 * HighLevel as the contact's "image".
 */
export interface ExpectedMedia {
  mimeType: string;
  /** `file_size` from the media lookup, when given. */
  sizeBytes?: number;
}

export function baseMimeType(mimeType: string | undefined): string {
  return (mimeType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Generic labels a file server may use for any bytes; they neither prove nor disprove the type. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** Undefined when the answer matches; otherwise what is wrong, in words for the logs and the retry. */
export function mediaDownloadProblem(expected: ExpectedMedia, received: { contentType?: string; sizeBytes: number }): string | undefined {
  const got = baseMimeType(received.contentType);
  const want = baseMimeType(expected.mimeType);
  if (got === 'text/html' && want !== 'text/html') return 'the media URL answered an HTML page instead of the file';
  if (!GENERIC_TYPES.has(got) && !GENERIC_TYPES.has(want) && got !== want) return `the media URL answered ${got}, the media object is ${want}`;
  if (expected.sizeBytes !== undefined && received.sizeBytes !== expected.sizeBytes) {
    return `the media URL answered ${received.sizeBytes} bytes, the media object has ${expected.sizeBytes}`;
  }
  return undefined;
}
