import type { OutboundPart, TemplateMessage } from '../../domain/outboundContent';
import type { KnownTemplate } from '../../domain/templateDefinitions';
import { httpRequest } from '../http';
import { ProviderSendError, type SentLookup, type MessageSender } from '../messagingPort';
import { twilioContentVariables } from './contentVariables';
import { findSentTwilioMessage, type SentTwilioMessage, type TwilioLookupOptions, type TwilioMessageMatch } from './messageLookup';
import { twilioAuthorization } from './basicAuth';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

/** Who a location sends as. A Messaging Service (MG…) is used when the channel has no number of its own. */
export interface TwilioSenders {
  /** `whatsapp:+1…` or `+1…` (the prefix is added). */
  whatsAppFrom?: string;
  /** E.164, short code or alphanumeric sender id. */
  smsFrom?: string;
  messagingServiceSid?: string;
}

export interface TwilioClientOptions {
  /** `TWILIO_API_BASE_URL` (https://api.twilio.com, or the simulator). */
  apiBaseUrl: string;
  /** `PUBLIC_BASE_URL`: status callbacks come back to `${publicBaseUrl}/webhooks/twilio?ref=…`. */
  publicBaseUrl: string;
  credentials: TwilioCredentials;
  senders: TwilioSenders;
  /** The synced Content API template (HX…) for an approved WhatsApp template name + language; needed for `template` parts. */
  contentFor?: (name: string, language: string) => Promise<SyncedContent | undefined> | SyncedContent | undefined;
  /** Deadline of each Twilio request (headers, then body); default the shared 15 s. */
  requestTimeoutMs?: number;
}

/** A synced Content template: its ContentSid and the registry's definition, whose placeholders are the content's variable keys. */
export interface SyncedContent {
  contentSid: string;
  template: KnownTemplate;
}

/** A Content API template: ContentSid (HX…) plus its variables, keyed as the content declares them. */
export interface TwilioTemplatePart {
  kind: 'template';
  contentSid: string;
  variables: Record<string, string>;
}

export type TwilioOutboundPart = OutboundPart | TwilioTemplatePart;

/** The SMS side of Twilio, for the fallback. */
export interface SmsSender {
  readonly provider: 'twilio';
  sendSms(to: string, body: string, mediaUrls: string[], reference: string): Promise<{ providerMessageId: string }>;
  /** The message an earlier `sendSms` created, from the provider's own records; undefined when not found. */
  findSentSms?(to: string, body: string, mediaUrls: string[], options: SentLookup): Promise<{ sid: string } | undefined>;
}

/** Form fields in the order Twilio documents them; repeated names (MediaUrl) as arrays. */
export type TwilioForm = Array<[string, string]>;

interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  detail?: string;
}

const WHATSAPP_PREFIX = 'whatsapp:';

export function whatsAppAddress(phone: string): string {
  return phone.startsWith(WHATSAPP_PREFIX) ? phone : `${WHATSAPP_PREFIX}${phone}`;
}

/** Our workflow id rides in the callback URL's query, the way Meta echoes biz_opaque_callback_data. */
export function statusCallbackUrl(publicBaseUrl: string, reference: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/twilio?ref=${encodeURIComponent(reference)}`;
}

/** The message content fields for one WhatsApp part (whatsapp.md B.1). */
export function whatsAppContentFields(part: TwilioOutboundPart): TwilioForm {
  if (part.kind === 'text') return [['Body', part.body]];
  if (part.kind === 'media') return [...(part.caption ? ([['Body', part.caption]] as TwilioForm) : []), ['MediaUrl', part.link]];
  // "Body and MediaUrl should be excluded. They are both superseded by the ContentSid."
  if ('contentSid' in part) return [['ContentSid', part.contentSid], ['ContentVariables', JSON.stringify(part.variables)]];
  throw new Error('a WhatsApp template reaches Twilio only as a ContentSid with variables');
}

/** The channel's own number wins; otherwise the Messaging Service picks one from its pool. */
function senderField(from: string | undefined, messagingServiceSid: string | undefined): [string, string] | undefined {
  if (from) return ['From', from];
  return messagingServiceSid ? ['MessagingServiceSid', messagingServiceSid] : undefined;
}

/** Twilio Programmable Messaging for one location: WhatsApp sends (the MessageSender port) and SMS sends. */
export class TwilioMessagingClient implements MessageSender, SmsSender {
  readonly provider = 'twilio' as const;

  constructor(private readonly options: TwilioClientOptions) {}

  /** One WhatsApp part to `to` (E.164). */
  async send(to: string, part: TwilioOutboundPart, reference: string): Promise<{ providerMessageId: string }> {
    const { whatsAppFrom, messagingServiceSid } = this.options.senders;
    const content = part.kind === 'template' && 'template' in part ? await this.templateFields(part.template) : whatsAppContentFields(part);
    return this.createMessage(whatsAppAddress(to), senderField(whatsAppFrom && whatsAppAddress(whatsAppFrom), messagingServiceSid), content, reference);
  }

  async sendSms(to: string, body: string, mediaUrls: string[], reference: string): Promise<{ providerMessageId: string }> {
    const { smsFrom, messagingServiceSid } = this.options.senders;
    const content: TwilioForm = [...(body ? ([['Body', body]] as TwilioForm) : []), ...mediaUrls.map((url): [string, string] => ['MediaUrl', url])];
    return this.createMessage(to, senderField(smsFrom, messagingServiceSid), content, reference);
  }

  /**
   * The message an earlier `send(to, part, …)` created, found in Twilio's Messages list (see messageLookup.ts), or
   * undefined. Only a match is evidence: a miss does not prove the earlier attempt never reached Twilio.
   */
  async findSentWhatsApp(to: string, part: TwilioOutboundPart, options: TwilioLookupOptions): Promise<TwilioMessageMatch | undefined> {
    const { whatsAppFrom, messagingServiceSid } = this.options.senders;
    const content: SentTwilioMessage['content'] =
      part.kind === 'template'
        ? { kind: 'content_sid' }
        : part.kind === 'text'
          ? { kind: 'body', body: part.body, mediaCount: 0 }
          : { kind: 'body', body: part.caption ?? '', mediaCount: 1 };
    return this.lookUpSent(whatsAppAddress(to), senderField(whatsAppFrom && whatsAppAddress(whatsAppFrom), messagingServiceSid), content, options);
  }

  /** The MessageSender port's lookup: the sid of the message an earlier `send` of this part created. */
  async findSent(to: string, part: TwilioOutboundPart, options: SentLookup): Promise<{ providerMessageId: string } | undefined> {
    const match = await this.findSentWhatsApp(to, part, options);
    return match && { providerMessageId: match.sid };
  }

  /** The message an earlier `sendSms(to, body, mediaUrls, …)` created, or undefined (a miss proves nothing). */
  async findSentSms(to: string, body: string, mediaUrls: string[], options: TwilioLookupOptions): Promise<TwilioMessageMatch | undefined> {
    const { smsFrom, messagingServiceSid } = this.options.senders;
    return this.lookUpSent(to, senderField(smsFrom, messagingServiceSid), { kind: 'body', body, mediaCount: mediaUrls.length }, options);
  }

  private async lookUpSent(to: string, sender: [string, string] | undefined, content: SentTwilioMessage['content'], options: TwilioLookupOptions): Promise<TwilioMessageMatch | undefined> {
    if (!sender) return undefined; // such a send was refused before any request left
    const sent: SentTwilioMessage = { to, ...(sender[0] === 'From' ? { from: sender[1] } : { messagingServiceSid: sender[1] }), content };
    const { apiBaseUrl, credentials, requestTimeoutMs } = this.options;
    return findSentTwilioMessage(
      { apiBaseUrl, accountSid: credentials.accountSid, authorization: this.authorization() },
      sent,
      { ...(requestTimeoutMs !== undefined ? { timeoutMs: requestTimeoutMs } : {}), ...options },
    );
  }

  private async templateFields(template: TemplateMessage): Promise<TwilioForm> {
    const content = await this.options.contentFor?.(template.name, template.language);
    if (!content) {
      const details = `no Twilio Content template is synced for "${template.name}" (${template.language})`;
      throw new ProviderSendError({ code: 21655, details }, details);
    }
    const variables = twilioContentVariables(template, content.template);
    // Refused before any request: Twilio would answer 21656 (ContentVariables invalid) for the same reason.
    if (!variables.ok) throw new ProviderSendError({ code: 21656, details: variables.reason }, variables.reason);
    return whatsAppContentFields({ kind: 'template', contentSid: content.contentSid, variables: variables.variables });
  }

  private async createMessage(to: string, sender: [string, string] | undefined, content: TwilioForm, reference: string): Promise<{ providerMessageId: string }> {
    if (!sender) {
      const details = 'the location has no Twilio sender for this channel (From number or Messaging Service SID)';
      throw new ProviderSendError({ code: 21603, details }, details);
    }
    const form: TwilioForm = [['To', to], sender, ...content, ['StatusCallback', statusCallbackUrl(this.options.publicBaseUrl, reference)]];
    const { apiBaseUrl, credentials } = this.options;
    const response = await httpRequest(`${apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(credentials.accountSid)}/Messages.json`, {
      method: 'POST',
      headers: { authorization: this.authorization(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      ...(this.options.requestTimeoutMs !== undefined ? { timeoutMs: this.options.requestTimeoutMs } : {}),
    });
    const sid = (response.body as { sid?: unknown })?.sid;
    if (response.status === 201 && typeof sid === 'string') return { providerMessageId: sid };
    const error = (typeof response.body === 'object' ? response.body : {}) as TwilioErrorBody;
    const providerError = { code: error.code ?? -1, httpStatus: response.status, title: error.message, details: error.detail };
    throw new ProviderSendError(providerError, `Twilio answered ${response.status}: ${error.message ?? response.text.slice(0, 200)}`);
  }

  private authorization(): string {
    return twilioAuthorization(this.options.credentials);
  }
}
