import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { newHighLevelId } from './ids';
import type { DndSettings, InboundDndSettings, SimContact } from './types';

/** Fields a create/upsert/update body may carry (CreateContactDto ∪ UpdateContactDto, minus locationId). */
export interface ContactInput {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  tags?: string[];
  dnd?: boolean;
  dndSettings?: DndSettings;
  inboundDndSettings?: InboundDndSettings;
  source?: string;
  [other: string]: unknown;
}

/** The named fields; everything else in a body goes to SimContact.extra. */
const NAMED_FIELDS = new Set(['firstName', 'lastName', 'name', 'email', 'phone', 'tags', 'dnd', 'dndSettings', 'inboundDndSettings', 'source', 'locationId', 'createNewIfDuplicateAllowed']);

/**
 * HighLevel stores phones in E.164 (US default when no country code is given); formatting is ignored
 * when matching, so "+1 586-460-3685" and "+15864603685" are the same number.
 */
export function normalizePhone(raw: string): string {
  const parsed = parsePhoneNumberFromString(raw, 'US');
  if (parsed?.isPossible()) return parsed.number;
  const digits = raw.replace(/\D/g, '');
  return raw.trim().startsWith('+') ? `+${digits}` : digits;
}

/** The location's duplicate rule: email first, then phone (HighLevel's documented search priority). */
export function findDuplicate(
  contacts: Iterable<SimContact>,
  locationId: string,
  match: { email?: string | null; phone?: string | null },
): { contact: SimContact; matchingField: 'email' | 'phone' } | undefined {
  const inLocation = [...contacts].filter((contact) => contact.locationId === locationId);
  const email = match.email?.trim().toLowerCase();
  if (email) {
    const byEmail = inLocation.find((contact) => contact.email?.toLowerCase() === email);
    if (byEmail) return { contact: byEmail, matchingField: 'email' };
  }
  if (match.phone) {
    const phone = normalizePhone(match.phone);
    const byPhone = inLocation.find((contact) => contact.phone !== undefined && normalizePhone(contact.phone) === phone);
    if (byPhone) return { contact: byPhone, matchingField: 'phone' };
  }
  return undefined;
}

export function newContact(locationId: string, input: ContactInput): SimContact {
  const now = new Date().toISOString();
  const contact: SimContact = { id: newHighLevelId(), locationId, tags: [], dnd: false, dndSettings: {}, extra: {}, dateAdded: now, dateUpdated: now };
  applyContactInput(contact, input);
  return contact;
}

/**
 * PUT/upsert semantics: given fields overwrite, null clears. `tags` "will overwrite all current tags"
 * (UpdateContactDto); `dndSettings` / `inboundDndSettings` are replaced by what is sent too: the spec describes
 * no per-channel merge, so a client must send the whole map (contacts.json DndSettingsSchema).
 */
export function applyContactInput(contact: SimContact, input: ContactInput): void {
  if (input.firstName !== undefined) contact.firstName = input.firstName ?? undefined;
  if (input.lastName !== undefined) contact.lastName = input.lastName ?? undefined;
  if (input.email !== undefined) contact.email = input.email ?? undefined;
  if (input.phone !== undefined) contact.phone = input.phone ? normalizePhone(input.phone) : undefined;
  if (input.name !== undefined) contact.name = input.name ?? undefined;
  else if (input.firstName !== undefined || input.lastName !== undefined || contact.name === undefined) {
    const fullName = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
    contact.name = fullName || contact.name;
  }
  if (input.tags !== undefined) contact.tags = dedupe(input.tags);
  if (input.dnd !== undefined) contact.dnd = input.dnd;
  if (input.dndSettings !== undefined) contact.dndSettings = { ...input.dndSettings };
  if (input.inboundDndSettings !== undefined) contact.inboundDndSettings = { ...input.inboundDndSettings };
  if (input.source !== undefined) contact.source = input.source;
  for (const [field, value] of Object.entries(input)) {
    if (!NAMED_FIELDS.has(field) && value !== undefined) contact.extra[field] = value;
  }
  contact.dateUpdated = new Date().toISOString();
}

export function dedupe(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
}

/** GetContectByIdSchema as the API returns it (lower-cased helper fields included). */
export function toApiContact(contact: SimContact): Record<string, unknown> {
  const fullName = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return {
    id: contact.id,
    name: contact.name ?? null,
    locationId: contact.locationId,
    firstName: contact.firstName ?? null,
    lastName: contact.lastName ?? null,
    firstNameLowerCase: contact.firstName?.toLowerCase() ?? null,
    lastNameLowerCase: contact.lastName?.toLowerCase() ?? null,
    fullNameLowerCase: fullName ? fullName.toLowerCase() : null,
    email: contact.email ?? null,
    emailLowerCase: contact.email?.toLowerCase() ?? null,
    phone: contact.phone ?? null,
    dnd: contact.dnd,
    dndSettings: contact.dndSettings,
    ...(contact.inboundDndSettings ? { inboundDndSettings: contact.inboundDndSettings } : {}),
    type: 'lead',
    source: contact.source ?? null,
    tags: [...contact.tags],
    customFields: [],
    ...contact.extra,
    dateAdded: contact.dateAdded,
    dateUpdated: contact.dateUpdated,
  };
}
