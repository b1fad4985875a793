import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AccountRegistry, requireKnownToken } from './accounts';
import { unknownObject } from './graphErrors';
import { newGraphId } from './ids';
import type { MediaDefinition } from './types';

/** Media objects: the Graph metadata lookup and the bearer-protected download URL (A.1, A.3). */

export interface StoredMedia {
  id: string;
  bytes: Buffer;
  mimeType: string;
  /** base64 of the SHA-256 of the bytes, as Meta reports it. */
  sha256: string;
}

/** What a bad media download looks like: Meta's error page (200, text/html), or the file cut short. */
export type BadMediaDownload = 'html' | 'truncated';

export class MediaStore {
  private readonly byId = new Map<string, StoredMedia>();
  private readonly badDownloads: BadMediaDownload[] = [];

  /** The next `count` downloads answer `kind` instead of the file (tests of the client's checks). */
  serveBadDownloads(count: number, kind: BadMediaDownload): void {
    for (let index = 0; index < count; index += 1) this.badDownloads.push(kind);
  }

  takeBadDownload(): BadMediaDownload | undefined {
    return this.badDownloads.shift();
  }

  add(media: MediaDefinition): string {
    const id = media.id ?? newGraphId();
    const sha256 = crypto.createHash('sha256').update(media.bytes).digest('base64');
    this.byId.set(id, { id, bytes: media.bytes, mimeType: media.mimeType, sha256 });
    return id;
  }

  get(id: string): StoredMedia | undefined {
    return this.byId.get(id);
  }

  delete(id: string): boolean {
    return this.byId.delete(id);
  }
}

/** Placeholder content for inbound media the test did not supply, so downloads still work. */
const DEFAULT_MIME_TYPES: Record<string, string> = {
  image: 'image/jpeg',
  audio: 'audio/ogg; codecs=opus',
  video: 'video/mp4',
  document: 'application/pdf',
  sticker: 'image/webp',
};

export function defaultMimeType(type: string): string {
  return DEFAULT_MIME_TYPES[type] ?? 'application/octet-stream';
}

export interface MediaRouteContext {
  apiVersion: string;
  origin(): string;
  accounts: AccountRegistry;
  media: MediaStore;
}

const ERROR_PAGE = '<!DOCTYPE html><html><head><title>Error</title></head><body>Sorry, something went wrong.</body></html>';

export function registerMediaRoutes(app: FastifyInstance, context: MediaRouteContext): void {
  const { accounts, media } = context;

  app.get<{ Params: { mediaId: string } }>(`/${context.apiVersion}/:mediaId`, async (request) => {
    requireKnownToken(request, accounts);
    const stored = media.get(request.params.mediaId);
    if (!stored) throw unknownObject(request.params.mediaId, 'get', 404);
    return {
      messaging_product: 'whatsapp',
      url: `${context.origin()}/_media/${encodeURIComponent(stored.id)}`,
      mime_type: stored.mimeType,
      sha256: stored.sha256,
      file_size: stored.bytes.length,
      id: stored.id,
    };
  });

  app.delete<{ Params: { mediaId: string } }>(`/${context.apiVersion}/:mediaId`, async (request) => {
    requireKnownToken(request, accounts);
    if (!media.delete(request.params.mediaId)) throw unknownObject(request.params.mediaId, 'delete', 404);
    return { success: true };
  });

  // Meta's media URLs also need the bearer token; without it they answer 401. Without a User-Agent they answer an
  // HTML page instead of the file (reported by Cloud API users, docs/contracts.md), as does an injected bad download.
  app.get<{ Params: { mediaId: string } }>('/_media/:mediaId', async (request, reply) => {
    requireKnownToken(request, accounts);
    const stored = media.get(request.params.mediaId);
    if (!stored) throw unknownObject(request.params.mediaId, 'get', 404);
    const bad = request.headers['user-agent'] ? media.takeBadDownload() : 'html';
    if (bad === 'html') return reply.type('text/html; charset=utf-8').send(ERROR_PAGE);
    const bytes = bad === 'truncated' ? stored.bytes.subarray(0, Math.floor(stored.bytes.length / 2)) : stored.bytes;
    return reply.header('content-type', stored.mimeType).header('content-length', bytes.length).send(bytes);
  });
}
