/** WhatsApp's customer-service window: free text only within 24 h of the contact's last inbound message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export function isWindowOpen(lastInboundAt: Date | string | null | undefined, now: Date): boolean {
  if (!lastInboundAt) return false;
  const last = typeof lastInboundAt === 'string' ? new Date(lastInboundAt) : lastInboundAt;
  const age = now.getTime() - last.getTime();
  return age >= -60_000 && age < CUSTOMER_SERVICE_WINDOW_MS;
}
