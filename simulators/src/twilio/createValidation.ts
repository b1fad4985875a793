import type { FormParams } from './signature';
import type { ContentStore, StoredContent } from './contentStore';
import type { MessageChannel } from './types';
import { TwilioApiError, isE164, isWhatsAppAddress, stripChannel } from './wireFormat';

/** A create request that passed Twilio's synchronous checks. */
export interface ValidatedCreate {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls: string[];
  content?: StoredContent;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  channel: MessageChannel;
}

const MAX_BODY_CHARS = 1600;
const MAX_MEDIA_URLS = 10;
const MAX_CONTENT_VARIABLES = 100;

/** First value of a form field; empty strings count as absent, as they do for Twilio. */
function field(params: FormParams, name: string): string | undefined {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function list(params: FormParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
}

/** SMS senders may be E.164, a short code or an alphanumeric sender ID; WhatsApp senders must be E.164. */
function isValidSender(from: string): boolean {
  if (isWhatsAppAddress(from)) return isE164(stripChannel(from));
  return isE164(from) || /^\d{3,8}$/.test(from) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(from);
}

function isHttpUrl(value: string): boolean {
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** `ContentVariables` must be a JSON object whose values are strings (Twilio: 21656). */
function parseContentVariables(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new TwilioApiError(400, 21656);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TwilioApiError(400, 21656);
  const entries = Object.entries(parsed);
  if (entries.length > MAX_CONTENT_VARIABLES || entries.some(([, value]) => typeof value !== 'string')) {
    throw new TwilioApiError(400, 21656);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Twilio's synchronous Message-create checks, in the order a caller fixing one error at a time would meet them. */
export function validateCreate(params: FormParams, contents: ContentStore): ValidatedCreate {
  const to = field(params, 'To');
  const from = field(params, 'From');
  const messagingServiceSid = field(params, 'MessagingServiceSid');
  const body = field(params, 'Body');
  const mediaUrls = list(params, 'MediaUrl');
  const contentSid = field(params, 'ContentSid');
  const rawContentVariables = field(params, 'ContentVariables');
  const statusCallback = field(params, 'StatusCallback');

  if (to === undefined) throw new TwilioApiError(400, 21604);
  if (from === undefined && messagingServiceSid === undefined) throw new TwilioApiError(400, 21603);
  if (body === undefined && mediaUrls.length === 0 && contentSid === undefined) throw new TwilioApiError(400, 21602);
  if (!isE164(stripChannel(to))) throw new TwilioApiError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (from !== undefined && isWhatsAppAddress(from) !== isWhatsAppAddress(to)) throw new TwilioApiError(400, 21910);
  if (from !== undefined && !isValidSender(from)) throw new TwilioApiError(400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  if (body !== undefined && [...body].length > MAX_BODY_CHARS) throw new TwilioApiError(400, 21617);
  if (mediaUrls.length > MAX_MEDIA_URLS) throw new TwilioApiError(400, 21623);
  if (mediaUrls.some((url) => !isHttpUrl(url))) throw new TwilioApiError(400, 21620);
  if (statusCallback !== undefined && !isHttpUrl(statusCallback)) {
    throw new TwilioApiError(400, 21609, `The StatusCallback URL ${statusCallback} is not a valid URL.`);
  }

  let content: StoredContent | undefined;
  let contentVariables: Record<string, string> | undefined;
  if (contentSid !== undefined) {
    content = contents.get(contentSid);
    if (!content) throw new TwilioApiError(400, 21655);
    if (rawContentVariables !== undefined) contentVariables = parseContentVariables(rawContentVariables);
  }

  return {
    to,
    from,
    messagingServiceSid,
    // "Body and MediaUrl should be excluded. They are both superseded by the ContentSid."
    body: content ? contents.renderBody(content, contentVariables) : body,
    mediaUrls: content ? contents.renderMedia(content, contentVariables) : mediaUrls,
    content,
    contentVariables,
    statusCallback,
    channel: isWhatsAppAddress(to) ? 'whatsapp' : 'sms',
  };
}
