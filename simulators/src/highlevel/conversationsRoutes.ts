import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiError, badRequest, notFound } from './apiErrors';
import { assertSameLocation, authorize } from './guard';
import { newHighLevelId } from './ids';
import { conversationForContact, type SimConversation, type SimulatorContext } from './state';
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

/** CreateConversationDto. */
const createConversationDto = z.looseObject({ locationId: z.string().min(1), contactId: z.string().min(1) });

const guardOptions = { version: CONVERSATIONS_API_VERSION };

/** ConversationSchema as the search answers it. */
function conversationSchema(state: SimulatorContext['state'], conversation: SimConversation): Record<string, unknown> {
  const contact = state.contacts.get(conversation.contactId);
  const last = [...state.inboundMessages].reverse().find((message) => message.conversationId === conversation.id);
  return {
    id: conversation.id,
    contactId: conversation.contactId,
    locationId: conversation.locationId,
    lastMessageBody: last?.message ?? '',
    lastMessageType: last ? 'TYPE_SMS' : '',
    type: 'TYPE_PHONE',
    unreadCount: 0,
    fullName: contact?.name ?? '',
    contactName: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
  };
}
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

  /** GET /conversations/search (SendConversationResponseDto): locationId required; contactId narrows to that contact. */
  app.get<{ Querystring: { locationId?: string; contactId?: string } }>('/conversations/search', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const { locationId, contactId } = request.query;
    if (!locationId) throw apiError(422, ['locationId should not be empty']);
    assertSameLocation(token, locationId);
    const found = [...state.conversations.values()].filter((conversation) => conversation.locationId === locationId && (!contactId || conversation.contactId === contactId));
    return { conversations: found.map((conversation) => conversationSchema(state, conversation)), total: found.length };
  });

  /** POST /conversations/ (CreateConversationDto: locationId, contactId required); one conversation per contact. */
  app.post('/conversations/', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const body = parseDto(createConversationDto, request.body);
    assertSameLocation(token, body.locationId);
    const contact = state.contacts.get(body.contactId);
    if (!contact || contact.locationId !== body.locationId) throw badRequest('Contact not found');
    const existing = [...state.conversations.values()].find((conversation) => conversation.contactId === contact.id);
    if (existing) throw apiError(400, 'Conversation already exists');
    const conversation = conversationForContact(state, contact.locationId, contact.id);
    const now = Date.now();
    return {
      success: true,
      conversation: { id: conversation.id, dateUpdated: now, dateAdded: now, deleted: false, contactId: contact.id, locationId: contact.locationId, lastMessageDate: now },
    };
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
