import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MessageEventRow, MessageRow } from '../db/schema';
import type { HttpContext } from '../http/context';
import { maskPhone } from '../logging';
import { findLedgerEntry, ledgerTimeline } from '../store/ledger';
import { searchMessages, type MessageSearch } from '../store/messageSearch';
import { html, type Html } from './html';
import { fieldsOf, locationPath, messagePath, sendPage, when, workflowUrl } from './respond';

const PAGE_SIZE = 200;
const STATUSES = ['received', 'held', 'sent', 'delivered', 'read', 'failed'];
const CHANNELS = ['whatsapp', 'sms', 'both', 'none'];

/**
 * Messages: search the ledger, read one message's timeline, select failed ones for a replay (src/console/replays.ts).
 * Lists mask numbers like the logs (src/logging.ts maskPhone); the message page shows the full number, which an
 * operator needs to check the contact with the business.
 */
export function registerMessagePages(scope: FastifyInstance, ctx: HttpContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = fieldsOf(request);
    const { search, problem } = searchFrom(query);
    const rows = problem ? [] : await searchMessages(ctx.db, search, PAGE_SIZE);
    return sendPage(reply, problem ? 400 : 200, { title: 'Messages', error: problem, body: html`${searchForm(query)}${results(rows)}` });
  };
  scope.get('/console/messages', show);
  scope.post('/console/messages', show);

  scope.get('/console/messages/:messageId', async (request, reply) => {
    const { messageId } = request.params as { messageId: string };
    const message = await findLedgerEntry(ctx.db, messageId);
    if (!message) return sendPage(reply, 404, { title: 'Unknown message', body: html`<p>No message <code>${messageId}</code> on the ledger.</p>` });
    const timeline = await ledgerTimeline(ctx.db, messageId);
    return sendPage(reply, 200, { title: `Message ${message.highlevel_message_id}`, body: detail(ctx, message, timeline) });
  });
}

function searchFrom(query: Record<string, string | undefined>): { search: MessageSearch; problem?: string } {
  const text = (name: string) => query[name]?.trim() || undefined;
  const search: MessageSearch = {};
  const set = <K extends keyof MessageSearch>(key: K, value: MessageSearch[K] | undefined) => value !== undefined && (search[key] = value);
  set('locationId', text('location'));
  set('highLevelMessageId', text('hlid'));
  set('status', text('status'));
  set('channel', text('channel'));
  set('reason', text('reason'));
  const phone = text('phone')?.replace(/[^\d]/g, '');
  if (text('phone') && !phone) return { search, problem: 'Phone: give digits (the last few are enough).' };
  set('phoneDigits', phone || undefined);
  for (const [name, key] of [['since', 'since'], ['until', 'until']] as const) {
    const value = text(name);
    if (!value) continue;
    const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
    if (Number.isNaN(date.getTime())) return { search, problem: `${name}: not a date and time.` };
    search[key] = date;
  }
  return { search };
}

function options(values: string[], selected: string | undefined): Html[] {
  return [html`<option value="">any</option>`, ...values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${value}</option>`)];
}

function searchForm(query: Record<string, string | undefined>): Html {
  const value = (name: string) => query[name] ?? '';
  return html`<form method="post" action="/console/messages"><fieldset><legend>Search</legend>
<label>Location <input name="location" value="${value('location')}"></label>
<label>Phone (last digits) <input name="phone" value="${value('phone')}" inputmode="numeric" size="10"></label>
<label>HighLevel message id <input name="hlid" value="${value('hlid')}"></label>
<label>Status <select name="status">${options(STATUSES, query.status)}</select></label>
<label>Channel <select name="channel">${options(CHANNELS, query.channel)}</select></label>
<label>Failure reason or code <input name="reason" value="${value('reason')}" size="12"></label>
<label>From (UTC) <input type="datetime-local" name="since" value="${value('since')}"></label>
<label>To (UTC) <input type="datetime-local" name="until" value="${value('until')}"></label>
<button type="submit">Search</button></fieldset></form>`;
}

function results(rows: MessageRow[]): Html {
  if (rows.length === 0) return html`<p>No message matches.</p>`;
  const failed = rows.some((row) => row.status === 'failed');
  return html`<form method="post" action="/console/replays">
<table><thead><tr><th>Replay</th><th>Received</th><th>Location</th><th>Phone</th><th>HighLevel message</th><th>Status</th><th>Channel</th><th>Reason</th></tr></thead><tbody>
${rows.map(
  (row) => html`<tr><td>${row.status === 'failed' ? html`<input type="checkbox" name="messageId" value="${row.id}" aria-label="select ${row.highlevel_message_id} for replay">` : ''}</td>
<td>${when(row.created_at)}</td><td><a href="${locationPath(row.location_id)}">${row.location_id}</a></td><td>${maskPhone(row.phone_e164)}</td>
<td><a href="${messagePath(row.id)}">${row.highlevel_message_id}</a></td><td class="status-${row.status}">${row.status}</td><td>${row.channel}</td>
<td>${row.error_code ? html`<code>${row.error_code}</code> ` : ''}${row.status_reason}</td></tr>`,
)}</tbody></table>
${rows.length === PAGE_SIZE ? html`<p class="muted">The newest ${PAGE_SIZE} shown: narrow the search for older ones.</p>` : ''}
${failed ? html`<p><label>Note <input name="note" size="40" placeholder="why (kept on the timeline)"></label> <button type="submit">Dry-run replay of the selected</button></p>` : ''}
</form>`;
}

function detail(ctx: HttpContext, message: MessageRow, timeline: MessageEventRow[]): Html {
  return html`<dl>
<dt>Ledger id</dt><dd><code>${message.id}</code></dd>
<dt>Location</dt><dd><a href="${locationPath(message.location_id)}">${message.location_id}</a></dd>
<dt>Contact</dt><dd>${message.contact_id}</dd>
<dt>Phone</dt><dd>${message.phone_e164 ?? '(none)'}</dd>
<dt>Status</dt><dd class="status-${message.status}">${message.status}${message.error_code ? html` (<code>${message.error_code}</code>)` : ''} ${message.status_reason}</dd>
<dt>Channel</dt><dd>${message.channel}${message.provider ? ` via ${message.provider}` : ''}</dd>
<dt>Received</dt><dd>${when(message.created_at)}</dd>
<dt>Workflow</dt><dd><a href="${workflowUrl(ctx.config, message.id)}" target="_blank" rel="noopener">Open in the Temporal UI</a></dd>
</dl>
${message.status === 'failed' ? html`<form method="post" action="/console/replays"><input type="hidden" name="messageId" value="${message.id}"><button type="submit">Dry-run a replay of this message</button></form>` : ''}
<h2>Timeline</h2>
<table><thead><tr><th>When</th><th>Event</th><th>What happened</th><th>Detail</th></tr></thead><tbody>
${timeline.map((event) => html`<tr><td>${when(event.occurred_at)}</td><td>${event.type}</td><td>${summary(event)}</td><td><details><summary>data</summary><pre>${JSON.stringify(event.detail, null, 2)}</pre></details></td></tr>`)}
</tbody></table>`;
}

/** The facts the decision weighed, as the policy recorded them. */
function factsInWords(facts: Record<string, unknown>): string {
  const words = [
    typeof facts.windowOpen === 'boolean' ? `24-hour window ${facts.windowOpen ? 'open' : 'closed'}` : '',
    facts.consent ? `consent ${field(facts.consent)}` : '',
    typeof facts.smsAllowed === 'boolean' ? `SMS fallback ${facts.smsAllowed ? 'allowed' : 'not allowed'}` : '',
  ].filter(Boolean);
  return words.length ? ` — ${words.join(', ')}` : '';
}

const field = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** One line per event, in the words ops use; the raw detail stays one click away. */
function summary(event: MessageEventRow): string {
  const detail = event.detail as Record<string, unknown>;
  const decision = (detail.decision ?? {}) as Record<string, unknown>;
  const template = (decision.template ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'received':
      return `HighLevel posted ${field(detail.textLength)} characters, ${field(detail.attachments)} attachment(s)`;
    case 'decided': {
      const facts = (detail.facts ?? {}) as Record<string, unknown>;
      const after = `${detail.after ? ` (after: ${field(detail.after)})` : ''}${factsInWords(facts)}`;
      if (decision.action === 'template') return `WhatsApp template ${field(template.name)} (${field(template.language)}): ${field(decision.reason)}${after}`;
      if (decision.action === 'skip') return `no WhatsApp: ${field(decision.code)}, ${field(decision.reason)}${after}`;
      return `WhatsApp free text${after}`;
    }
    case 'sent':
      return `sent on WhatsApp (${field(detail.kind)}) via ${field(detail.provider)}, id ${field(detail.providerMessageId)}`;
    case 'sms_sent':
      return `SMS sent via ${field(detail.provider)}, id ${field(detail.providerMessageId)}: ${field(detail.reason)}`;
    case 'fallback':
      return `SMS fallback (${field(detail.trigger)}): ${field(detail.reason)}`;
    case 'receipt':
      return `receipt: ${field(detail.status)}${detail.providerMessageId ? ` for ${field(detail.providerMessageId)}` : ''}`;
    case 'status':
      return `now ${field(detail.status)} on ${field(detail.channel)}`;
    case 'delivered_twice':
      return field(detail.note) || 'delivered on both WhatsApp and SMS';
    case 'receipt_timeout':
      return 'no delivery receipt in time';
    case 'status_pushed':
      return `status ${field(detail.status)} pushed to HighLevel`;
    case 'status_push_failed':
      return 'pushing the status to HighLevel failed';
    case 'held':
      return `held: ${field(detail.reason)}`;
    case 'failed':
      return `failed (${field(detail.code)}): ${field(detail.reason)}`;
    case 'replayed':
      return `replayed by ${field(detail.requestedBy)}${detail.note ? ` (${field(detail.note)})` : ''}, run ${field(detail.runId)}`;
    default:
      return '';
  }
}
