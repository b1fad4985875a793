import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { HighLevelApiError } from './apiErrors';
import { assertSameLocation, authorize } from './guard';
import { newHighLevelId } from './ids';
import type { SimulatorContext } from './state';
import { CONVERSATIONS_API_VERSION, type SimUpload } from './types';

export const MAX_UPLOAD_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_UPLOAD_FILES = 5;

/** The extensions the upload docs allow, each with the content types a client may label it with. */
const ALLOWED_TYPES: Record<string, string[]> = {
  jpg: ['image/jpeg'], jpeg: ['image/jpeg'], png: ['image/png'], gif: ['image/gif'], svg: ['image/svg+xml'],
  heic: ['image/heic', 'image/heif'], ai: ['application/postscript', 'application/illustrator', 'application/pdf'],
  mp4: ['video/mp4'], mpeg: ['video/mpeg'], '3gp': ['video/3gpp', 'audio/3gpp'],
  mp3: ['audio/mpeg', 'audio/mp3'], wav: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
  wave: ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'], aiff: ['audio/aiff', 'audio/x-aiff'],
  aif: ['audio/aiff', 'audio/x-aiff'], aifc: ['audio/aiff', 'audio/x-aiff'], gsm: ['audio/gsm', 'audio/x-gsm'],
  ulaw: ['audio/basic', 'audio/x-ulaw'], ogg: ['audio/ogg', 'application/ogg'], aac: ['audio/aac', 'audio/x-aac'],
  m4a: ['audio/mp4', 'audio/x-m4a', 'audio/m4a'], amr: ['audio/amr'],
  pdf: ['application/pdf'], doc: ['application/msword'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  txt: ['text/plain'], csv: ['text/csv', 'application/csv', 'text/plain'], xls: ['application/vnd.ms-excel'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], ppt: ['application/vnd.ms-powerpoint'],
  pptx: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  odt: ['application/vnd.oasis.opendocument.text'], zip: ['application/zip', 'application/x-zip-compressed'],
  rar: ['application/vnd.rar', 'application/x-rar-compressed'], vcf: ['text/vcard', 'text/x-vcard', 'text/directory'],
  vcard: ['text/vcard', 'text/x-vcard', 'text/directory'], ics: ['text/calendar'],
};

/** UploadFilesErrorResponseDto: `{ status, message }` (not statusCode). */
const uploadError = (status: 400 | 413 | 415, message: string) => new HighLevelApiError(status, { status, message });

export function isAllowedAttachment(filename: string, contentType: string): boolean {
  const extension = path.extname(filename).slice(1).toLowerCase();
  const allowed = ALLOWED_TYPES[extension];
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  // Generic clients label everything application/octet-stream; the extension decides then.
  return allowed !== undefined && (allowed.includes(mediaType) || mediaType === 'application/octet-stream');
}

interface ReceivedFile {
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export async function registerUploadRoutes(app: FastifyInstance, ctx: SimulatorContext): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_FILE_BYTES, files: MAX_UPLOAD_FILES } });

  app.post('/conversations/messages/upload', async (request, reply) => {
    const token = authorize(ctx, request, reply, { version: CONVERSATIONS_API_VERSION });
    if (!request.isMultipart()) throw uploadError(400, 'Request must be multipart/form-data with files in "fileAttachment"');

    const fields: Record<string, string> = {};
    const files: ReceivedFile[] = [];
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') fields[part.fieldname] = String(part.value);
        else if (part.fieldname === 'fileAttachment') files.push({ filename: part.filename, contentType: part.mimetype, bytes: await part.toBuffer() });
        else await part.toBuffer(); // drain files under other field names; HighLevel ignores them
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw uploadError(413, `File size exceeds the maximum allowed size of 5 MB`);
      if (code === 'FST_FILES_LIMIT') throw uploadError(400, `A maximum of ${MAX_UPLOAD_FILES} files can be uploaded at once`);
      throw error;
    }

    // UploadFilesDto requires conversationId, contactId, locationId and attachmentUrls. The files themselves go in
    // "fileAttachment" (operation description), which stands in for attachmentUrls: a form cannot carry an empty array.
    const missing = ['conversationId', 'contactId', 'locationId'].filter((field) => !fields[field]);
    if (missing.length > 0) throw uploadError(400, `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`);
    const locationId = fields.locationId as string;
    assertSameLocation(token, locationId);
    const conversation = ctx.state.conversations.get(fields.conversationId as string);
    if (!conversation || conversation.locationId !== locationId) throw uploadError(400, 'Conversation not found');
    if (conversation.contactId !== fields.contactId) throw uploadError(400, 'The conversation does not belong to the contact');
    if (files.length === 0) throw uploadError(400, 'attachmentUrls or files in "fileAttachment" are required');
    const rejected = files.find((file) => !isAllowedAttachment(file.filename, file.contentType));
    if (rejected) throw uploadError(415, `File type not allowed: ${rejected.filename} (${rejected.contentType})`);

    const uploadedFiles: Record<string, string> = {};
    for (const file of files) {
      const fileId = newHighLevelId(24);
      const upload: SimUpload = {
        url: `${ctx.baseUrl()}/_files/${fileId}/${encodeURIComponent(file.filename)}`,
        filename: file.filename,
        contentType: file.contentType,
        bytes: file.bytes,
        locationId,
      };
      ctx.state.files.set(fileId, upload);
      ctx.state.uploads.push(upload);
      uploadedFiles[file.filename] = upload.url;
    }
    return { uploadedFiles };
  });

  // Stands in for HighLevel's public storage bucket: no auth, exact bytes.
  app.get<{ Params: { fileId: string; filename: string } }>('/_files/:fileId/:filename', async (request, reply) => {
    const upload = ctx.state.files.get(request.params.fileId);
    if (!upload) return reply.code(404).send({ status: 404, message: 'File not found' });
    return reply.type(upload.contentType).header('content-length', upload.bytes.length).send(upload.bytes);
  });
}
