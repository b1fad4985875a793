import { phoneDigits } from './ids';

/**
 * Which WhatsApp id (wa_id) a phone number reaches. Meta's send response says wa_id "may not match" the input:
 * Mexican mobiles answer as `521` + 10 digits for `+52` + 10 digits, and an account registered before Brazil's
 * ninth digit keeps the id without it. The same id is then the `from` of the user's messages and the
 * `recipient_id` of statuses. Mexico is built in; other numbers answer with their own digits unless registered.
 */
export class WhatsAppIdDirectory {
  private readonly registered = new Map<string, string>();

  /** From now on `phone` (E.164 or digits) reaches the account `waId`, e.g. a Brazilian number without the ninth digit. */
  register(phone: string, waId: string): void {
    this.registered.set(phoneDigits(phone), phoneDigits(waId));
  }

  waIdFor(phone: string): string {
    const digits = phoneDigits(phone);
    const registered = this.registered.get(digits);
    if (registered) return registered;
    const mexico = /^52(\d{10})$/.exec(digits);
    return mexico ? `521${mexico[1]}` : digits;
  }
}
