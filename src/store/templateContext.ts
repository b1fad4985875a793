import type { Db } from '../db/database';
import { decideTemplate, type TemplateDecision } from '../domain/templateDecision';
import { contactFieldsFrom, extractDirective, findRule, usesContactFields } from '../domain/templateRules';
import { listTemplateRules } from './templateRules';
import { findTemplateSettings, knownTemplates } from './templates';

/**
 * The one code path from a location's stored templates, rules and language to the pure decision: the
 * delivery plan (activities/policyActivities.ts) and the admin dry-run both call chooseTemplateForLocation.
 */

export interface ChooseTemplateInput {
  locationId: string;
  /** The rendered HighLevel text, directive included. */
  text: string;
  attachments?: string[];
  /** From the delivery policy (conversation window); false again after Meta's 131047. */
  windowOpen: boolean;
  /** Contact fields (snake_case) and WhatsApp language when the caller has them. */
  contact?: { fields?: Record<string, string>; language?: string | null };
  /** Used to load the contact's fields only when the matching rule refers to contact fields. */
  contactId?: string;
}

/** The HighLevel contact as JSON (GET /contacts/{id}), or null when unknown. */
export type ContactLookup = (locationId: string, contactId: string) => Promise<Record<string, unknown> | null>;

export async function chooseTemplateForLocation(db: Db, input: ChooseTemplateInput, lookupContact?: ContactLookup): Promise<TemplateDecision> {
  const rules = await listTemplateRules(db, input.locationId);
  const { text, directive } = extractDirective(input.text);
  const hit = directive ? undefined : findRule(rules, text);
  // Free text inside the window needs no template: the registry is read only when a template may be the answer.
  const templatesMatter = !input.windowOpen || directive !== undefined || hit?.rule.whenWindowOpen === 'template';
  const [templates, settings] = templatesMatter ? await Promise.all([knownTemplates(db, input.locationId), findTemplateSettings(db, input.locationId)]) : [[], undefined];
  let contact = input.contact;
  if (!contact?.fields && input.contactId && lookupContact) {
    if (hit && usesContactFields(hit.rule)) {
      contact = { ...contact, fields: contactFieldsFrom(await lookupContact(input.locationId, input.contactId)) };
    }
  }
  return decideTemplate({
    text: input.text,
    attachments: input.attachments ?? [],
    windowOpen: input.windowOpen,
    templates,
    rules,
    ...(contact ? { contact } : {}),
    locationLanguage: settings?.language ?? null,
  });
}
