import { invalidRequest } from './graphErrors';
import { characterCount } from './ids';

/** Synchronous checks of POST /{phone-number-id}/messages bodies, with Meta's codes and details (A.1, A.2). */

export const SEND_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
  'interactive',
  'reaction',
  'location',
  'contacts',
] as const;
export type SendType = (typeof SEND_TYPES)[number];

export type JsonObject = Record<string, unknown>;

export interface TemplateRequest {
  name: string;
  languageCode: string;
  components: JsonObject[];
}

export type ValidatedRequest =
  | { kind: 'markRead'; messageId: string; typingIndicator?: unknown }
  | { kind: 'message'; to: string; type: SendType; template?: TemplateRequest; bizOpaqueCallbackData?: string };

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const MISSING = 131008;
const INVALID = 100;
const NOT_VALID_VALUE = 131009;

function requireObject(parent: JsonObject, key: string, path: string): JsonObject {
  const value = parent[key];
  if (value === undefined || value === null) throw invalidRequest(MISSING, `The parameter ${path} is required.`);
  if (!isJsonObject(value)) throw invalidRequest(INVALID, `Param ${path} must be a JSON object.`);
  return value;
}

function optionalString(parent: JsonObject, key: string, path: string, maxLength?: number): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(INVALID, `Param ${path} must be a string.`);
  if (maxLength !== undefined && characterCount(value) > maxLength) {
    throw invalidRequest(INVALID, `Param ${path} must be at most ${maxLength} characters long.`);
  }
  return value;
}

function requireString(parent: JsonObject, key: string, path: string, maxLength?: number): string {
  const value = optionalString(parent, key, path, maxLength);
  if (value === undefined || value === '') throw invalidRequest(MISSING, `The parameter ${path} is required.`);
  return value;
}

function requireArray(parent: JsonObject, key: string, path: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) throw invalidRequest(MISSING, `The parameter ${path} is required.`);
  if (!Array.isArray(value)) throw invalidRequest(INVALID, `Param ${path} must be an array.`);
  return value;
}

function validateMedia(type: 'image' | 'audio' | 'video' | 'document' | 'sticker', media: JsonObject): void {
  const hasId = media.id !== undefined && media.id !== null && media.id !== '';
  const hasLink = media.link !== undefined && media.link !== null && media.link !== '';
  if (hasId === hasLink) throw invalidRequest(NOT_VALID_VALUE, `Please specify exactly one of 'id' or 'link' in ${type}.`);
  if (hasId) requireString(media, 'id', `${type}['id']`);
  if (hasLink) {
    const link = requireString(media, 'link', `${type}['link']`);
    if (!/^https?:\/\//i.test(link)) throw invalidRequest(NOT_VALID_VALUE, `Param ${type}['link'] must be a valid http(s) URL.`);
  }
  if (type === 'audio' || type === 'sticker') {
    if (media.caption !== undefined) throw invalidRequest(INVALID, `Param ${type}['caption'] is not a valid parameter for ${type} messages.`);
  } else {
    optionalString(media, 'caption', `${type}['caption']`, 1024);
  }
  if (type === 'document') optionalString(media, 'filename', `${type}['filename']`, 240);
}

function validateButtonAction(action: JsonObject): void {
  const buttons = requireArray(action, 'buttons', "interactive['action']['buttons']");
  if (buttons.length < 1 || buttons.length > 3) {
    throw invalidRequest(NOT_VALID_VALUE, `Param interactive['action']['buttons'] must have between 1 and 3 elements.`);
  }
  const ids = new Set<string>();
  buttons.forEach((button, index) => {
    const path = `interactive['action']['buttons'][${index}]`;
    if (!isJsonObject(button)) throw invalidRequest(INVALID, `Param ${path} must be a JSON object.`);
    if (button.type !== 'reply') throw invalidRequest(NOT_VALID_VALUE, `Param ${path}['type'] must be 'reply'.`);
    const reply = requireObject(button, 'reply', `${path}['reply']`);
    const id = requireString(reply, 'id', `${path}['reply']['id']`, 256);
    requireString(reply, 'title', `${path}['reply']['title']`, 20);
    if (ids.has(id)) throw invalidRequest(NOT_VALID_VALUE, `Buttons must have unique ids; '${id}' is repeated.`);
    ids.add(id);
  });
}

function validateListAction(action: JsonObject): void {
  requireString(action, 'button', "interactive['action']['button']", 20);
  const sections = requireArray(action, 'sections', "interactive['action']['sections']");
  if (sections.length < 1 || sections.length > 10) {
    throw invalidRequest(NOT_VALID_VALUE, `Param interactive['action']['sections'] must have between 1 and 10 elements.`);
  }
  let rowCount = 0;
  sections.forEach((section, sectionIndex) => {
    const path = `interactive['action']['sections'][${sectionIndex}]`;
    if (!isJsonObject(section)) throw invalidRequest(INVALID, `Param ${path} must be a JSON object.`);
    optionalString(section, 'title', `${path}['title']`, 24);
    const rows = requireArray(section, 'rows', `${path}['rows']`);
    rows.forEach((row, rowIndex) => {
      const rowPath = `${path}['rows'][${rowIndex}]`;
      if (!isJsonObject(row)) throw invalidRequest(INVALID, `Param ${rowPath} must be a JSON object.`);
      requireString(row, 'id', `${rowPath}['id']`, 200);
      requireString(row, 'title', `${rowPath}['title']`, 24);
      optionalString(row, 'description', `${rowPath}['description']`, 72);
    });
    rowCount += rows.length;
  });
  if (rowCount > 10) throw invalidRequest(NOT_VALID_VALUE, 'A list message can have at most 10 rows in total.');
}

function validateInteractive(interactive: JsonObject): void {
  const kind = requireString(interactive, 'type', "interactive['type']");
  const footer = interactive.footer;
  if (isJsonObject(footer)) optionalString(footer, 'text', "interactive['footer']['text']", 60);
  if (kind === 'button') {
    requireString(requireObject(interactive, 'body', "interactive['body']"), 'text', "interactive['body']['text']", 1024);
    validateButtonAction(requireObject(interactive, 'action', "interactive['action']"));
  } else if (kind === 'list') {
    const header = interactive.header;
    if (isJsonObject(header)) optionalString(header, 'text', "interactive['header']['text']", 60);
    requireString(requireObject(interactive, 'body', "interactive['body']"), 'text', "interactive['body']['text']", 4096);
    validateListAction(requireObject(interactive, 'action', "interactive['action']"));
  } else if (['cta_url', 'flow', 'product', 'product_list', 'catalog_message', 'location_request_message'].includes(kind)) {
    requireObject(interactive, 'action', "interactive['action']");
  } else {
    throw invalidRequest(NOT_VALID_VALUE, `Param interactive['type'] has an unsupported value '${kind}'.`);
  }
}

function validateTemplate(template: JsonObject): TemplateRequest {
  const name = requireString(template, 'name', "template['name']", 512);
  const language = requireObject(template, 'language', "template['language']");
  const languageCode = requireString(language, 'code', "template['language']['code']");
  const rawComponents = template.components ?? [];
  if (!Array.isArray(rawComponents)) throw invalidRequest(INVALID, "Param template['components'] must be an array.");
  const components = rawComponents.map((component, index) => {
    const path = `template['components'][${index}]`;
    if (!isJsonObject(component)) throw invalidRequest(INVALID, `Param ${path} must be a JSON object.`);
    const type = requireString(component, 'type', `${path}['type']`);
    if (!['header', 'body', 'button', 'footer', 'carousel', 'limited_time_offer'].includes(type.toLowerCase())) {
      throw invalidRequest(NOT_VALID_VALUE, `Param ${path}['type'] has an unsupported value '${type}'.`);
    }
    if (type.toLowerCase() === 'button') {
      requireString(component, 'sub_type', `${path}['sub_type']`);
      const buttonIndex = component.index;
      if (buttonIndex === undefined || !/^[0-9]$/.test(String(buttonIndex))) {
        throw invalidRequest(MISSING, `The parameter ${path}['index'] is required and must be between 0 and 9.`);
      }
    }
    if (component.parameters !== undefined && !Array.isArray(component.parameters)) {
      throw invalidRequest(INVALID, `Param ${path}['parameters'] must be an array.`);
    }
    return component;
  });
  return { name, languageCode, components };
}

function validateContent(type: SendType, content: JsonObject): TemplateRequest | undefined {
  switch (type) {
    case 'text':
      requireString(content, 'body', "text['body']", 4096);
      if (content.preview_url !== undefined && typeof content.preview_url !== 'boolean') {
        throw invalidRequest(INVALID, "Param text['preview_url'] must be a boolean.");
      }
      return undefined;
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      validateMedia(type, content);
      return undefined;
    case 'interactive':
      validateInteractive(content);
      return undefined;
    case 'reaction':
      requireString(content, 'message_id', "reaction['message_id']");
      // An empty emoji removes a reaction, so only the type is checked.
      if (typeof content.emoji !== 'string') throw invalidRequest(MISSING, "The parameter reaction['emoji'] is required.");
      return undefined;
    case 'location':
      for (const key of ['latitude', 'longitude']) {
        const value = content[key];
        if (value === undefined || Number.isNaN(Number(value))) throw invalidRequest(MISSING, `The parameter location['${key}'] is required.`);
      }
      return undefined;
    case 'template':
      return validateTemplate(content);
    case 'contacts':
      return undefined;
  }
}

/** Throws a GraphError for anything Meta would reject synchronously. */
export function validateSendRequest(body: unknown): ValidatedRequest {
  if (!isJsonObject(body)) throw invalidRequest(INVALID, 'The request body must be a JSON object.');
  if (body.messaging_product !== 'whatsapp') {
    if (body.messaging_product === undefined) throw invalidRequest(MISSING, 'The parameter messaging_product is required.');
    throw invalidRequest(INVALID, "Param messaging_product must be 'whatsapp'.");
  }
  if (body.status === 'read' || body.message_id !== undefined) {
    if (body.status !== 'read') throw invalidRequest(NOT_VALID_VALUE, "Param status must be 'read'.");
    const messageId = requireString(body, 'message_id', 'message_id');
    return { kind: 'markRead', messageId, ...(body.typing_indicator === undefined ? {} : { typingIndicator: body.typing_indicator }) };
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
    throw invalidRequest(NOT_VALID_VALUE, "Param recipient_type must be 'individual' or 'group'.");
  }
  const to = requireString(body, 'to', 'to');
  if (!/\d/.test(to) || /[^\d+\-() .]/.test(to)) throw invalidRequest(NOT_VALID_VALUE, `Param to is not a valid WhatsApp phone number.`);
  const rawType = body.type ?? 'text';
  if (typeof rawType !== 'string' || !(SEND_TYPES as readonly string[]).includes(rawType)) {
    throw invalidRequest(131051, `Message type '${String(rawType)}' is not supported.`);
  }
  const type = rawType as SendType;
  if (body.context !== undefined) requireString(requireObject(body, 'context', 'context'), 'message_id', "context['message_id']");
  const bizOpaqueCallbackData = optionalString(body, 'biz_opaque_callback_data', 'biz_opaque_callback_data', 512);
  let template: TemplateRequest | undefined;
  if (type === 'contacts') {
    const contacts = requireArray(body, 'contacts', 'contacts');
    if (contacts.length === 0) throw invalidRequest(NOT_VALID_VALUE, 'Param contacts must have at least 1 element.');
    contacts.forEach((contact, index) => {
      if (!isJsonObject(contact)) throw invalidRequest(INVALID, `Param contacts[${index}] must be a JSON object.`);
      requireString(requireObject(contact, 'name', `contacts[${index}]['name']`), 'formatted_name', `contacts[${index}]['name']['formatted_name']`);
    });
  } else {
    template = validateContent(type, requireObject(body, type, type));
  }
  return {
    kind: 'message',
    to,
    type,
    ...(template ? { template } : {}),
    ...(bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData }),
  };
}
