import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiError, badRequest, notFound } from './apiErrors';
import { assertSameLocation, authorize } from './guard';
import { newHighLevelId } from './ids';
import { conversationForContact, type SimulatorContext } from './state';
import { CONVERSATIONS_API_VERSION, INBOUND_MESSAGE_TYPES, MESSAGE_STATUSES, type SimInboundMessage } from './types';
import { parseDto } from './validation';

/** ProcessMessageBodyDto. The spec marks conversationId, contactId and conversationProviderId required; the docs relax all three. */
const processMessageBodyDto = z.looseObject({
  type: z.enum(INBOUND_MESSAGE_TYPES),
  attachments: z.array(z.string()).optional(),
  message: z.string().optional(),
  conversationId: z.string().min(1).optional(),
  contactId: z.string().min(1).optional(),
  conversationProviderId: z.string().optional(),
  html: z.string().optional(),
  subject: z.string().optional(),
  emailFrom: z.string().optional(),
  emailTo: z.string().optional(),
  emailCc: z.array(z.string()).optional(),
  emailBcc: z.array(z.string()).optional(),
  emailMessageId: z.string().optional(),
  altId: z.string().optional(),
  direction: z.unknown().optional(),
  date: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be a valid ISO 8601 date string').optional(),
  call: z.object({ to: z.string().optional(), from: z.string().optional(), status: z.string().optional() }).optional(),
});

/** UpdateMessageStatusDto; ErrorDto needs all of code, type and message. */
const updateMessageStatusDto = z.looseObject({
  status: z.enum(MESSAGE_STATUSES),
  error: z.strictObject({ code: z.string(), type: z.string(), message: z.string() }).optional(),
  emailMessageId: z.string().optional(),
  recipients: z.array(z.string()).optional(),
});

const guardOptions = { version: CONVERSATIONS_API_VERSION };
const QUEUED = 'Message queued successfully.';

export function registerConversationsRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const { state } = ctx;

  app.post('/conversations/messages/inbound', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const body = parseDto(processMessageBodyDto, request.body);
    if (!body.contactId && !body.conversationId) throw badRequest('Either conversationId or contactId is required');

    let contactId = body.contactId;
    if (body.conversationId) {
      const conversation = state.conversations.get(body.conversationId);
      if (!conversation) throw badRequest('Conversation not found');
      assertSameLocation(token, conversation.locationId);
      if (contactId && contactId !== conversation.contactId) throw badRequest('The conversation does not belong to the contact');
      contactId = conversation.contactId;
    }
    const contact = contactId ? state.contacts.get(contactId) : undefined;
    if (!contact) throw badRequest('Contact not found');
    assertSameLocation(token, contact.locationId);

    const conversation = conversationForContact(state, contact.locationId, contact.id);
    const messageId = newHighLevelId();
    const at = Date.now();
    state.messages.set(messageId, { messageId, locationId: contact.locationId, conversationId: conversation.id, contactId: contact.id, direction: 'inbound', registeredAt: at });
    const accepted: SimInboundMessage = { ...body, contactId: contact.id, conversationId: conversation.id, messageId, locationId: contact.locationId, at };
    state.inboundMessages.push(accepted);
    return { success: true, conversationId: conversation.id, messageId, message: QUEUED, contactId: contact.id, dateAdded: new Date(at).toISOString() };
  });

  app.put<{ Params: { messageId: string } }>('/conversations/messages/:messageId/status', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const body = parseDto(updateMessageStatusDto, request.body);
    const known = state.messages.get(request.params.messageId);
    if (!known) throw notFound('Message not found');
    assertSameLocation(token, known.locationId);
    // Issue #4: until HighLevel has "downstreamed" the outbound message, updates fail with 403 (it was 401 before 2025-06).
    if (known.direction === 'outbound' && Date.now() < known.registeredAt + ctx.statusDownstreamDelayMs) {
      throw apiError(403, 'status changes are not allowed until the message is downstreamed to the conversation provider');
    }
    // HighLevel does not enforce status ordering (a late `delivered` may follow `read`), so every update is recorded.
    state.statusUpdates.push({ messageId: known.messageId, status: body.status, ...(body.error ? { error: body.error } : {}), at: Date.now() });
    return { conversationId: known.conversationId, messageId: known.messageId, msg: QUEUED, status: body.status };
  });
}
