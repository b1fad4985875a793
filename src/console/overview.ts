import type { FastifyInstance } from 'fastify';
import type { HttpContext } from '../http/context';
import { OUTCOMES, outcomesByDay, type DailyOutcomes, type Outcome } from '../store/messageSearch';
import { html, type Html } from './html';
import { locationPath, sendPage } from './respond';

const DAYS = 14;

const LABELS: Record<Outcome, string> = { whatsapp: 'WhatsApp', template: 'WhatsApp template', sms_fallback: 'SMS fallback', failed: 'failed', in_progress: 'in progress' };
const COLORS: Record<Outcome, string> = { whatsapp: '#25a244', template: '#1f6fb2', sms_fallback: '#e0a400', failed: '#c62828', in_progress: '#9aa3ad' };

/** Overview: per location and day (UTC), messages by outcome as an inline SVG chart, and the share a template or the SMS fallback carried. */
export function registerOverviewPage(scope: FastifyInstance, ctx: HttpContext): void {
  scope.get('/console', async (_request, reply) => {
    const since = new Date(Date.now() - (DAYS - 1) * 86_400_000);
    since.setUTCHours(0, 0, 0, 0);
    const rows = await outcomesByDay(ctx.db, since);
    const locations = [...new Set(rows.map((row) => row.locationId))];
    const body = locations.length === 0
      ? html`<p>No message in the last ${DAYS} days.</p>`
      : html`<p class="muted">The last ${DAYS} days (UTC). ${legend()}</p>${locations.map((locationId) => locationSection(locationId, rows.filter((row) => row.locationId === locationId), since))}`;
    return sendPage(reply, 200, { title: 'Overview', body });
  });
}

const total = (day: DailyOutcomes) => OUTCOMES.reduce((sum, outcome) => sum + day.counts[outcome], 0);

/** Of the messages that settled, those that needed a template or the SMS fallback. */
function assistedShare(days: DailyOutcomes[]): string {
  const settled = days.reduce((sum, day) => sum + total(day) - day.counts.in_progress, 0);
  const assisted = days.reduce((sum, day) => sum + day.counts.template + day.counts.sms_fallback, 0);
  return settled === 0 ? '–' : `${Math.round((assisted / settled) * 100)}%`;
}

function legend(): Html {
  return html`${OUTCOMES.map((outcome) => html`<svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${COLORS[outcome]}"/></svg> ${LABELS[outcome]} `)}`;
}

function locationSection(locationId: string, days: DailyOutcomes[], since: Date): Html {
  return html`<section><h2><a href="${locationPath(locationId)}">${locationId}</a></h2>
<p>Needed a template or the SMS fallback: <strong>${assistedShare(days)}</strong> of settled messages.</p>
${chart(locationId, everyDay(locationId, days, since))}
<table><thead><tr><th>Day</th>${OUTCOMES.map((outcome) => html`<th>${LABELS[outcome]}</th>`)}<th>Total</th><th>Template or fallback</th></tr></thead><tbody>
${days.map((day) => html`<tr><td>${day.day}</td>${OUTCOMES.map((outcome) => html`<td>${day.counts[outcome]}</td>`)}<td>${total(day)}</td><td>${assistedShare([day])}</td></tr>`)}
</tbody></table></section>`;
}

/** The chart's days: each of the period, empty where no message arrived. */
function everyDay(locationId: string, days: DailyOutcomes[], since: Date): DailyOutcomes[] {
  return Array.from({ length: DAYS }, (_, index) => {
    const day = new Date(since.getTime() + index * 86_400_000).toISOString().slice(0, 10);
    return days.find((entry) => entry.day === day) ?? { locationId, day, counts: { whatsapp: 0, template: 0, sms_fallback: 0, failed: 0, in_progress: 0 } };
  });
}

/** Stacked bars, one per day. */
function chart(locationId: string, days: DailyOutcomes[]): Html {
  const width = 40;
  const height = 160;
  const max = Math.max(1, ...days.map(total));
  const bars = days.map((day, index) => {
    let y = height;
    const segments = OUTCOMES.filter((outcome) => day.counts[outcome] > 0).map((outcome) => {
      const h = (day.counts[outcome] / max) * height;
      y -= h;
      return html`<rect x="${index * width + 6}" y="${y.toFixed(1)}" width="${width - 12}" height="${h.toFixed(1)}" fill="${COLORS[outcome]}"><title>${day.day}: ${day.counts[outcome]} ${LABELS[outcome]}</title></rect>`;
    });
    return html`<g>${segments}<text x="${index * width + width / 2}" y="${height + 14}" font-size="10" text-anchor="middle">${day.day.slice(5)}</text></g>`;
  });
  return html`<svg role="img" aria-label="messages per day for ${locationId}" width="${Math.max(days.length * width, 200)}" height="${height + 20}" viewBox="0 0 ${Math.max(days.length * width, 200)} ${height + 20}">${bars}</svg>`;
}
