import type { FastifyBaseLogger } from 'fastify';
import type { MetaWebhookPayload } from '../providers/meta/webhookParser';
import { parseMetaAccountErrors } from '../providers/meta/webhookParser';
import { maskPhone } from '../logging';
import { recordWhatsAppAccountError } from '../store/locations';
import type { HttpContext } from './context';

/**
 * Account-level errors in a Meta webhook (`value.errors`): logged (codes and Meta's words, no phone numbers) and
 * kept on the location of the business number, where GET /admin/locations/<id> shows them.
 */
export async function recordMetaAccountErrors(ctx: HttpContext, payload: MetaWebhookPayload, log: FastifyBaseLogger): Promise<number> {
  const errors = parseMetaAccountErrors(payload);
  const at = new Date().toISOString();
  for (const error of errors) {
    const { phoneNumberId, wabaId, ...reported } = error;
    const locationIds = phoneNumberId ? await recordWhatsAppAccountError(ctx.db, phoneNumberId, { ...reported, at }) : [];
    const words = { title: maskNumbers(reported.title), message: maskNumbers(reported.message), details: maskNumbers(reported.details) };
    log.warn({ metaError: { code: reported.code, ...words }, wabaId, locationIds }, 'WhatsApp reported an account-level error');
  }
  return errors.length;
}

/** Meta's words may quote a number; phone-like digit runs are masked before they reach the log. */
function maskNumbers(text: string | undefined): string | undefined {
  return text?.replace(/\+?\d{7,15}\b/g, (digits) => maskPhone(digits));
}
