import { inboundWorkflowId } from '../../src/temporal/inboundWorkflowId';
import { adminCall } from './adminApi';
import { inboundWamid } from './inbound';
import type { Harness, TestLocation, WhatsAppBackend } from './harness';

/**
 * The few things acceptance scenarios do with "the WhatsApp provider", for both back ends: the same scenario
 * code drives the Meta simulator (Cloud API) or the Twilio simulator (Twilio WhatsApp) through these.
 */

export const BACKENDS: WhatsAppBackend[] = ['cloud', 'twilio'];

/** A WhatsApp message the provider accepted, in one shape; `wire` is what the provider itself recorded. */
export interface SentWhatsApp {
  providerMessageId: string;
  kind: 'text' | 'media' | 'template';
  /** Text, caption, or the template as the recipient reads it (Twilio renders it; Meta: undefined). */
  body?: string;
  mediaUrls: string[];
  at: number;
  wire: Record<string, unknown>;
}

export interface ReceiptStep {
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The provider's own error code for `failed` (Meta 131026, Twilio 63024 …). */
  errorCode?: number;
  delayMs?: number;
  duplicate?: boolean;
}

export interface InboundSpec {
  from: string;
  text?: string;
  profileName?: string;
  image?: { bytes: Buffer; mimeType: string; caption?: string };
}

export interface EmittedInbound {
  providerMessageId: string;
  /** The receiver's answer to the webhook. */
  statusCode: number;
  workflowId: string;
  /** Posts the very same signed webhook again (providers redeliver); resolves with the receiver's status. */
  redeliver(): Promise<number>;
}

export interface TemplateSpec {
  name: string;
  language: string;
  category?: 'UTILITY' | 'MARKETING';
  body: string;
}

export interface BackendDriver {
  backend: WhatsAppBackend;
  provider: 'meta' | 'twilio';
  /** The code each provider uses for "this number is not on WhatsApp". */
  notOnWhatsAppCode: number;
  sentTo(phone: string): SentWhatsApp[];
  scriptReceipts(phone: string, steps: ReceiptStep[]): void;
  emitInbound(spec: InboundSpec, location?: TestLocation): Promise<EmittedInbound>;
  /** Adds an approved template where the back end keeps them (WABA or Content API); sync it with syncTemplates. */
  addTemplate(spec: TemplateSpec, location?: TestLocation): void;
}

/** The SMS the fallback sent to a phone (always through Twilio). */
export const smsTo = (h: Harness, phone: string) => h.twilio.messages.filter((message) => message.channel === 'sms' && message.to === phone);

/** Forces the location's template sync and waits for it; answers the admin API's response. */
export const syncTemplates = (h: Harness, location: TestLocation = h.location) => adminCall(h.apiUrl, 'POST', `/admin/locations/${location.id}/templates/sync?wait=true`);

export function driverFor(h: Harness, backend: WhatsAppBackend): BackendDriver {
  return backend === 'cloud' ? cloudDriver(h) : twilioDriver(h);
}

function cloudDriver(h: Harness): BackendDriver {
  return {
    backend: 'cloud',
    provider: 'meta',
    notOnWhatsAppCode: 131026,
    sentTo: (phone) =>
      h.meta.sentMessages
        .filter((message) => message.to === phone)
        .map((message) => {
          const content = (message.payload[message.type] ?? {}) as { body?: string; link?: string; caption?: string };
          const kind = message.type === 'text' ? 'text' : message.type === 'template' ? 'template' : 'media';
          return {
            providerMessageId: message.wamid,
            kind,
            body: kind === 'text' ? content.body : content.caption,
            mediaUrls: content.link ? [content.link] : [],
            at: message.at,
            wire: message.payload,
          };
        }),
    scriptReceipts: (phone, steps) =>
      h.meta.scriptReceipts(
        phone,
        steps.map(({ errorCode, ...step }) => ({ ...step, ...(errorCode ? { error: { code: errorCode, title: 'Message undeliverable' } } : {}) })),
      ),
    async emitInbound(spec, location = h.location) {
      const base = { phoneNumberId: location.phoneNumberId, from: spec.from, ...(spec.profileName ? { profileName: spec.profileName } : {}) };
      const delivery = spec.image
        ? await h.meta.emitInbound({ ...base, type: 'image', mediaId: h.meta.addMedia({ bytes: spec.image.bytes, mimeType: spec.image.mimeType }), caption: spec.image.caption })
        : await h.meta.emitInbound({ ...base, type: 'text', text: spec.text ?? '' });
      const wamid = inboundWamid(delivery);
      return {
        providerMessageId: wamid,
        statusCode: delivery.statusCode,
        workflowId: inboundWorkflowId('meta', wamid),
        redeliver: async () => (await h.meta.deliverRaw(delivery.payload)).statusCode,
      };
    },
    addTemplate: (spec, location = h.location) =>
      h.meta.upsertTemplate(location.wabaId, { name: spec.name, language: spec.language, category: spec.category ?? 'UTILITY', components: [{ type: 'BODY', text: spec.body }] }),
  };
}

function twilioDriver(h: Harness): BackendDriver {
  const bare = (address: string) => address.replace(/^whatsapp:/, '');
  return {
    backend: 'twilio',
    provider: 'twilio',
    notOnWhatsAppCode: 63024,
    sentTo: (phone) =>
      h.twilio.messages
        .filter((message) => message.channel === 'whatsapp' && bare(message.to) === phone)
        .map((message) => ({
          providerMessageId: message.sid,
          kind: message.contentSid ? 'template' : message.mediaUrls.length > 0 ? 'media' : 'text',
          body: message.body,
          mediaUrls: message.mediaUrls,
          at: message.createdAt,
          wire: { ...message },
        })),
    // Twilio reports a failed WhatsApp message as `undelivered` with the code.
    scriptReceipts: (phone, steps) =>
      h.twilio.scriptCallbacks(
        phone,
        steps.map(({ status, ...step }) => ({ ...step, status: status === 'failed' ? 'undelivered' : status })),
      ),
    async emitInbound(spec, location = h.location) {
      const delivery = await h.twilio.emitInbound(`${h.apiUrl}/webhooks/twilio`, {
        accountSid: location.twilioAccountSid,
        from: spec.from,
        to: location.twilioWhatsAppFrom,
        body: spec.image ? spec.image.caption : spec.text,
        ...(spec.profileName ? { profileName: spec.profileName } : {}),
        ...(spec.image ? { media: [{ contentType: spec.image.mimeType, bytes: spec.image.bytes }] } : {}),
      });
      return {
        providerMessageId: delivery.messageSid,
        statusCode: delivery.statusCode,
        workflowId: inboundWorkflowId('twilio', delivery.messageSid),
        redeliver: async () => {
          const response = await fetch(delivery.url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': delivery.signature },
            body: new URLSearchParams(delivery.params).toString(),
          });
          await response.arrayBuffer();
          return response.status;
        },
      };
    },
    addTemplate: (spec) => {
      h.twilio.addContent({
        friendlyName: spec.name,
        language: spec.language,
        types: { 'twilio/text': { body: spec.body } },
        approval: { status: 'approved', category: spec.category ?? 'UTILITY', name: spec.name },
      });
    },
  };
}
