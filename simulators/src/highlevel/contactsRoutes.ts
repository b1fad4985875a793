import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, HighLevelApiError, notFound } from './apiErrors';
import { applyContactInput, dedupe, findDuplicate, newContact, toApiContact, type ContactInput } from './contactStore';
import { assertSameLocation, authorize } from './guard';
import type { SimulatorContext } from './state';
import type { AccessTokenRecord } from './tokenStore';
import { CONTACTS_API_VERSION, type SimContact } from './types';
import { parseDto } from './validation';

const text = z.string().nullable().optional();
const dndSetting = z.strictObject({ status: z.enum(['active', 'inactive', 'permanent']), message: z.string().optional(), code: z.string().optional() });
/** DndSettingsSchema: one optional entry per channel. */
const dndSettings = z.strictObject({
  Call: dndSetting.optional(), Email: dndSetting.optional(), SMS: dndSetting.optional(),
  WhatsApp: dndSetting.optional(), GMB: dndSetting.optional(), FB: dndSetting.optional(),
});
const inboundDndSettings = z.strictObject({ all: z.strictObject({ status: z.enum(['active', 'inactive']), message: z.string().optional() }).optional() });

/** UpdateContactDto properties (contacts.json). */
const updatableFields = {
  firstName: text, lastName: text, name: text, email: text, phone: text,
  address1: text, city: text, state: text, postalCode: text, website: text, timezone: text,
  dnd: z.boolean().optional(), dndSettings: dndSettings.optional(), inboundDndSettings: inboundDndSettings.optional(),
  tags: z.array(z.string()).optional(), customFields: z.array(z.unknown()).optional(), source: z.string().optional(),
  dateOfBirth: z.unknown().optional(), country: text, assignedTo: text,
};
const updateContactDto = z.strictObject(updatableFields);
/** CreateContactDto adds locationId (required), gender and companyName. */
const createContactDto = z.strictObject({ ...updatableFields, locationId: z.string().min(1), gender: text, companyName: text });
const upsertContactDto = createContactDto.extend({ createNewIfDuplicateAllowed: z.boolean().optional() });
const tagsDto = z.strictObject({ tags: z.array(z.string()) });

const guardOptions = { version: CONTACTS_API_VERSION };

export function registerContactsRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  const contacts = ctx.state.contacts;

  /** Looks a contact up for a token: 404 when unknown, 403 when it belongs to another location. */
  const contactFor = (token: AccessTokenRecord, contactId: string): SimContact => {
    const contact = contacts.get(contactId);
    if (!contact) throw notFound('Contact not found');
    assertSameLocation(token, contact.locationId);
    return contact;
  };

  /** The location's "Allow Duplicate Contact" setting is off by default. */
  const rejectDuplicate = (locationId: string, input: ContactInput, exceptId?: string): void => {
    const others = [...contacts.values()].filter((contact) => contact.id !== exceptId);
    const duplicate = findDuplicate(others, locationId, { email: input.email, phone: input.phone });
    if (!duplicate) return;
    throw new HighLevelApiError(400, {
      statusCode: 400,
      message: 'This location does not allow duplicated contacts.',
      meta: { contactName: duplicate.contact.name ?? null, contactId: duplicate.contact.id, matchingField: duplicate.matchingField },
    });
  };

  app.get<{ Querystring: { locationId?: string; number?: string; email?: string } }>('/contacts/search/duplicate', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const { locationId, number, email } = request.query;
    if (!locationId) throw badRequest('locationId should not be empty');
    assertSameLocation(token, locationId);
    if (!number && !email) throw badRequest('Either number or email is required');
    const duplicate = findDuplicate(contacts.values(), locationId, { email, phone: number });
    return { contact: duplicate ? toApiContact(duplicate.contact) : null };
  });

  for (const path of ['/contacts/', '/contacts']) {
    app.post(path, async (request, reply) => {
      const token = authorize(ctx, request, reply, guardOptions);
      const body = parseDto(createContactDto, request.body);
      assertSameLocation(token, body.locationId);
      rejectDuplicate(body.locationId, body);
      const contact = newContact(body.locationId, body);
      contacts.set(contact.id, contact);
      return reply.code(201).send({ contact: toApiContact(contact) });
    });
  }

  app.post('/contacts/upsert', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const { createNewIfDuplicateAllowed, ...body } = parseDto(upsertContactDto, request.body);
    assertSameLocation(token, body.locationId);
    const existing = createNewIfDuplicateAllowed ? undefined : findDuplicate(contacts.values(), body.locationId, body)?.contact;
    const traceId = crypto.randomUUID();
    if (existing) {
      applyContactInput(existing, body);
      return { new: false, contact: toApiContact(existing), traceId };
    }
    const contact = newContact(body.locationId, body);
    contacts.set(contact.id, contact);
    return { new: true, contact: toApiContact(contact), traceId };
  });

  app.get<{ Params: { contactId: string } }>('/contacts/:contactId', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    return { contact: toApiContact(contactFor(token, request.params.contactId)) };
  });

  app.put<{ Params: { contactId: string } }>('/contacts/:contactId', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const contact = contactFor(token, request.params.contactId);
    const body = parseDto(updateContactDto, request.body);
    rejectDuplicate(contact.locationId, { email: body.email, phone: body.phone }, contact.id);
    applyContactInput(contact, body);
    // UpdateContactsSuccessfulResponseDto really spells it "succeded".
    return { succeded: true, contact: toApiContact(contact) };
  });

  app.post<{ Params: { contactId: string } }>('/contacts/:contactId/tags', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const contact = contactFor(token, request.params.contactId);
    const { tags } = parseDto(tagsDto, request.body);
    contact.tags = dedupe([...contact.tags, ...tags]);
    contact.dateUpdated = new Date().toISOString();
    return reply.code(201).send({ tags: [...contact.tags] });
  });

  app.delete<{ Params: { contactId: string } }>('/contacts/:contactId/tags', async (request, reply) => {
    const token = authorize(ctx, request, reply, guardOptions);
    const contact = contactFor(token, request.params.contactId);
    const { tags } = parseDto(tagsDto, request.body);
    const removed = new Set(tags.map((tag) => tag.trim()));
    contact.tags = contact.tags.filter((tag) => !removed.has(tag));
    contact.dateUpdated = new Date().toISOString();
    return { tags: [...contact.tags] };
  });
}
