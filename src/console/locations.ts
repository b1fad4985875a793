import type { FastifyInstance } from 'fastify';
import { resolveSettings } from '../domain/locationSettings';
import { describeLocation } from '../http/adminRoutes';
import type { HttpContext } from '../http/context';
import { listLocations, resumeSender } from '../store/locations';
import { heldMessageIds } from '../store/replays';
import { html } from './html';
import { locationPath, sendPage, when } from './respond';

export interface SenderResumed {
  /** Releases the location's held messages (registerReplayRoutes' answer, as PUT /admin/locations {resumeSender}). */
  senderResumed(locationId: string, by: string): Promise<void>;
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** Locations: configuration without secrets (only whether each is set), the sender's pause with resume, install state. */
export function registerLocationPages(scope: FastifyInstance, ctx: HttpContext, replays: SenderResumed): void {
  scope.get('/console/locations', async (_request, reply) => {
    const locations = await listLocations(ctx.db);
    const body = locations.length === 0
      ? html`<p>No location is configured yet.</p>`
      : html`<table><thead><tr><th>Location</th><th>Name</th><th>WhatsApp</th><th>Sender</th><th>Installed</th></tr></thead><tbody>
${locations.map((location) => html`<tr><td><a href="${locationPath(location.id)}">${location.id}</a></td><td>${location.name}</td><td>${location.whatsapp_backend === 'twilio' ? 'Twilio' : 'Meta Cloud API'}</td>
<td>${location.sender_paused_reason ? html`<span class="status-failed">paused</span>` : 'active'}</td><td>${location.uninstalled_at ? 'uninstalled' : location.installed_at ? 'yes' : 'no'}</td></tr>`)}
</tbody></table>`;
    return sendPage(reply, 200, { title: 'Locations', body });
  });

  scope.get('/console/locations/:locationId', async (request, reply) => {
    const { locationId } = request.params as { locationId: string };
    const query = request.query as { resumed?: string };
    const location = await describeLocation(ctx, locationId);
    if (!location) return sendPage(reply, 404, { title: 'Unknown location', body: html`<p>No location <code>${locationId}</code>.</p>` });
    const held = await heldMessageIds(ctx.db, locationId);
    const settings = resolveSettings(location.settings, {
      receiptTimeoutSeconds: ctx.config.RECEIPT_TIMEOUT_SECONDS,
      lateReceiptWindowSeconds: ctx.config.LATE_RECEIPT_WINDOW_SECONDS,
      heldMaxAgeSeconds: ctx.config.HELD_MAX_AGE_SECONDS,
    });
    const { whatsapp, twilio, highLevel } = location;
    const body = html`<p><a href="/console/messages?location=${encodeURIComponent(locationId)}">Messages</a> ·
<a href="${locationPath(locationId)}/templates">Templates and rules</a> · <a href="/console/consent?location=${encodeURIComponent(locationId)}">Consent</a></p>
<h2>Sender</h2>
${whatsapp.senderPausedReason
  ? html`<p class="error">Paused: ${whatsapp.senderPausedReason}. ${held.length} message(s) held.</p>
<form method="post" action="${locationPath(locationId)}/resume"><button type="submit">Resume the sender and release the held messages</button></form>`
  : html`<p>Active. ${held.length ? `${held.length} message(s) still held, being released.` : 'No message held.'}</p>`}
<h2>WhatsApp</h2><dl>
<dt>Back end</dt><dd>${whatsapp.backend === 'twilio' ? 'Twilio WhatsApp' : 'Meta WhatsApp Cloud API'}</dd>
<dt>Phone number id</dt><dd>${whatsapp.phoneNumberId}</dd><dt>WhatsApp Business Account</dt><dd>${whatsapp.wabaId}</dd>
<dt>Meta access token</dt><dd>${whatsapp.hasAccessToken ? 'set' : 'not set'}</dd></dl>
<h2>Twilio and SMS fallback</h2><dl>
<dt>Account SID</dt><dd>${twilio.accountSid}</dd><dt>Auth token</dt><dd>${twilio.hasAuthToken ? 'set' : 'not set'}</dd>
<dt>WhatsApp sender</dt><dd>${twilio.whatsAppFrom}</dd><dt>SMS sender</dt><dd>${twilio.smsFrom}</dd><dt>Messaging Service</dt><dd>${twilio.messagingServiceSid}</dd>
<dt>SMS fallback</dt><dd>${settings.smsFallback ? 'on' : 'off'}</dd>
<dt>Fallback on</dt><dd>${settings.smsFallbackOn.join(', ')}</dd>
<dt>WhatsApp gets</dt><dd>${settings.smsFallbackDeadlineSeconds} s to deliver before the SMS</dd></dl>
<h2>HighLevel install</h2><dl>
<dt>Installed</dt><dd>${yesNo(highLevel.installed)}</dd><dt>Installed at</dt><dd>${when(highLevel.installedAt)}</dd>
<dt>Uninstalled at</dt><dd>${when(highLevel.uninstalledAt)}</dd><dt>Access token expires</dt><dd>${when(highLevel.tokenExpiresAt)}</dd>
<dt>Delivery URL token</dt><dd>${location.deliveryTokenConfigured ? 'set' : 'not set'}</dd></dl>
<h2>Other settings</h2><dl>
<dt>Default country</dt><dd>${settings.defaultCountry}</dd>
<dt>Unknown consent counts as opted in</dt><dd>${yesNo(settings.treatUnknownConsentAsOptedIn)}</dd>
<dt>Receipt timeout</dt><dd>${settings.receiptTimeoutSeconds} s</dd>
<dt>Held messages fail after</dt><dd>${settings.heldMaxAgeSeconds} s</dd><dt>Release rate</dt><dd>${settings.releasePerSecond} per second</dd></dl>`;
    return sendPage(reply, 200, { title: `Location ${location.name ?? locationId}`, body, flash: query.resumed ? 'Sender resumed; held messages are being released.' : undefined });
  });

  /** The resume of PUT /admin/locations/:id {resumeSender: true}: the pause is cleared, then the held ones released. */
  scope.post('/console/locations/:locationId/resume', async (request, reply) => {
    const { locationId } = request.params as { locationId: string };
    await resumeSender(ctx.db, locationId);
    await replays.senderResumed(locationId, 'console');
    return reply.redirect(`${locationPath(locationId)}?resumed=1`, 303);
  });
}
