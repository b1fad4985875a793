import type { FetchedMedia } from './messagingPort';

/** Stops as soon as the file grows past the limit, so a huge video never sits in memory. */
export async function readLimited(
  body: AsyncIterable<Buffer> & { dump(): Promise<void>; destroy(): unknown },
  declared: number,
  mimeType: string,
  maxBytes: number,
): Promise<FetchedMedia> {
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body.dump();
    return { ok: false, reason: 'too_large', sizeBytes: declared, mimeType };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return { ok: false, reason: 'too_large', sizeBytes: size, mimeType };
    }
    chunks.push(chunk);
  }
  return { ok: true, bytes: Buffer.concat(chunks), mimeType };
}
