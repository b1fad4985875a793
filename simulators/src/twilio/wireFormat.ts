import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** Twilio's REST error body: what twilio-node's RestException reads. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  detail?: string;
}

/** Texts Twilio uses for the codes the simulator can return (B.1/B.4 and the error pages). */
const DEFAULT_ERROR_MESSAGES: Record<number, string> = {
  20003: 'Authentication Error - invalid username',
  20404: 'The requested resource was not found',
  20429: 'Too Many Requests',
  20500: 'Internal Server Error',
  21211: "The 'To' number is not a valid phone number.",
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: 'Attempt to send to unsubscribed recipient',
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  21620: 'Invalid media URL(s)',
  21623: 'Number of media files exceeds allowed limit',
  21655: 'The ContentSid is Invalid.',
  21656: 'The ContentVariables Parameter is invalid.',
  21910: 'Invalid From and To pair. From and To should be of the same channel',
};

/** An error answered in Twilio's JSON shape. */
export class TwilioApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message?: string,
  ) {
    super(message ?? DEFAULT_ERROR_MESSAGES[code] ?? `Simulated Twilio error ${code}`);
  }

  toBody(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.httpStatus };
  }
}

export function sendTwilioError(reply: FastifyReply, error: TwilioApiError): FastifyReply {
  return reply.code(error.httpStatus).type('application/json').send(error.toBody());
}

/** Twilio SIDs: two-letter prefix + 32 lowercase hex characters. */
export function newSid(prefix: string): string {
  return prefix + crypto.randomBytes(16).toString('hex');
}

/** RFC 2822 as the 2010-04-01 API writes it: `Thu, 30 Jul 2015 20:12:31 +0000`. */
export function rfc2822(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace('GMT', '+0000');
}

/** ISO 8601 without milliseconds, as the Content API writes it: `2015-07-30T19:00:00Z`. */
export function iso8601(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const WHATSAPP_PREFIX = 'whatsapp:';

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** `whatsapp:+1555…` → `+1555…`; plain numbers are returned unchanged. */
export function stripChannel(address: string): string {
  return address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

export function isWhatsAppAddress(address: string): boolean {
  return address.startsWith(WHATSAPP_PREFIX);
}

/** GSM 03.38 basic set plus the escape-table characters (which cost two septets). */
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** SMS segment count the way carriers split: GSM-7 160/153 septets, otherwise UCS-2 70/67 code units. */
export function countSmsSegments(body: string): number {
  let septets = 0;
  let isGsm = true;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENDED.includes(char)) septets += 2;
    else {
      isGsm = false;
      break;
    }
  }
  if (isGsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = body.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
