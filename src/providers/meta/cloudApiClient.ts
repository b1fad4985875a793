import type { OutboundPart } from '../../domain/outboundContent';
import { httpRequest } from '../http';
import { ProviderSendError, type SentRecipient, type MessageSender } from '../messagingPort';

export interface CloudApiCredentials {
  phoneNumberId: string;
  accessToken: string;
}

interface GraphErrorBody {
  error?: { code?: number; message?: string; is_transient?: boolean; error_data?: { details?: string } };
}

/** The request body Meta expects for one part (whatsapp.md A.1). */
export function cloudApiMessageBody(to: string, part: OutboundPart, reference: string): Record<string, unknown> {
  const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to, biz_opaque_callback_data: reference };
  if (part.kind === 'text') return { ...envelope, type: 'text', text: { preview_url: part.previewUrl, body: part.body } };
  if (part.kind === 'template') {
    const { name, language, components } = part.template;
    return { ...envelope, type: 'template', template: { name, language: { code: language }, ...(components.length > 0 ? { components } : {}) } };
  }
  const media: Record<string, string> = { link: part.link };
  if (part.caption) media.caption = part.caption;
  if (part.filename) media.filename = part.filename;
  return { ...envelope, type: part.mediaType, [part.mediaType]: media };
}

export class CloudApiClient implements MessageSender {
  readonly provider = 'meta' as const;

  constructor(private readonly graphBaseUrl: string, private readonly credentials: CloudApiCredentials) {}

  async send(to: string, part: OutboundPart, reference: string): Promise<{ providerMessageId: string; recipient?: SentRecipient }> {
    const response = await httpRequest(`${this.graphBaseUrl}/${encodeURIComponent(this.credentials.phoneNumberId)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.credentials.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(cloudApiMessageBody(to, part, reference)),
    });
    const answer = response.body as { messages?: Array<{ id?: string }>; contacts?: Array<{ input?: unknown; wa_id?: unknown }> } | undefined;
    const id = answer?.messages?.[0]?.id;
    if (response.status === 200 && id) {
      // wa_id "may not match" the number sent to (Mexico 521…, Brazil without the ninth digit): inbound will use it.
      const contact = answer?.contacts?.[0];
      const recipient = typeof contact?.input === 'string' && typeof contact.wa_id === 'string' ? { input: contact.input, waId: contact.wa_id } : undefined;
      return { providerMessageId: id, ...(recipient ? { recipient } : {}) };
    }
    const error = (response.body as GraphErrorBody)?.error;
    const providerError = {
      code: error?.code ?? -1,
      httpStatus: response.status,
      isTransient: error?.is_transient,
      title: error?.message,
      details: error?.error_data?.details,
    };
    throw new ProviderSendError(providerError, `Cloud API answered ${response.status}: ${error?.message ?? response.text.slice(0, 200)}`);
  }
}
