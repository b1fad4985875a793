import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TemplateDecision } from '../domain/templateDecision';
import type { HttpContext } from '../http/context';
import { findLocation } from '../store/locations';
import { chooseTemplateForLocation } from '../store/templateContext';
import { listTemplateRules } from '../store/templateRules';
import { findTemplateSettings, listTemplateRows } from '../store/templates';
import { syncTemplatesNow, type TemplateSyncOutcome } from '../http/templateSync';
import { html, type Html } from './html';
import { fieldsOf, locationPath, sendPage, when } from './respond';

const MAX_DRY_RUN_TEXT = 10_000;
/** How long "Sync templates now" waits for the sync before it shows the page (it goes on in the background). */
const SYNC_WAIT_MS = 20_000;

/**
 * Templates and rules of a location, and the dry run: what a text becomes inside and outside the 24-hour window,
 * decided by the delivery plan's own code (chooseTemplateForLocation, as POST …/templates/dry-run).
 */
export function registerTemplatePages(scope: FastifyInstance, ctx: HttpContext): void {
  const show = async (request: FastifyRequest, reply: FastifyReply, sync?: TemplateSyncOutcome) => {
    const { locationId } = request.params as { locationId: string };
    const { text = '' } = sync ? {} : fieldsOf(request);
    if (!(await findLocation(ctx.db, locationId))) return sendPage(reply, 404, { title: 'Unknown location', body: html`<p>No location <code>${locationId}</code>.</p>` });
    if (text.length > MAX_DRY_RUN_TEXT) return sendPage(reply, 400, { title: 'Templates and rules', error: `The text is longer than ${MAX_DRY_RUN_TEXT} characters.`, body: html`` });
    const [templates, rules, settings] = await Promise.all([listTemplateRows(ctx.db, locationId), listTemplateRules(ctx.db, locationId), findTemplateSettings(ctx.db, locationId)]);
    const decide = (windowOpen: boolean) => chooseTemplateForLocation(ctx.db, { locationId, text, attachments: [], windowOpen });
    const decisions = text.trim() ? await Promise.all([decide(true), decide(false)]) : undefined;
    const body = html`<p><a href="${locationPath(locationId)}">Back to the location</a></p>
<h2>Dry run</h2>
<form method="post" action="${locationPath(locationId)}/templates"><label for="dry-run-text">What would this text become?</label><br>
<textarea id="dry-run-text" name="text" rows="3" cols="80" required>${text}</textarea><br><button type="submit">Dry run</button></form>
${decisions
  ? html`<table><thead><tr><th>Window</th><th>Becomes</th><th>Why</th></tr></thead><tbody>
<tr><td>inside the 24-hour window</td>${decisionCells(decisions[0])}</tr><tr><td>outside the window</td>${decisionCells(decisions[1])}</tr></tbody></table>`
  : ''}
<h2>Synced templates</h2>
<form method="post" action="${locationPath(locationId)}/templates/sync"><button type="submit">Sync templates now</button></form>
<p class="muted">Language: ${settings?.language ?? '(contact’s, else the first approved)'} · last synced ${when(settings?.last_synced_at) || 'never'}${settings?.last_sync_error ? html` · <span class="status-failed">last sync error: ${settings.last_sync_error}</span>` : ''}</p>
${templates.length === 0
  ? html`<p>No template synced yet.</p>`
  : html`<table><thead><tr><th>Name</th><th>Language</th><th>Category</th><th>Status</th><th>Since</th><th>Body</th></tr></thead><tbody>
${templates.map((row) => html`<tr><td>${row.name}</td><td>${row.language}</td><td>${row.category}</td><td>${row.status}</td><td>${when(row.status_changed_at)}</td><td>${row.body}</td></tr>`)}</tbody></table>`}
<h2>Rules</h2>
${rules.length === 0
  ? html`<p>No rule: texts are matched to templates automatically.</p>`
  : html`<table><thead><tr><th>Priority</th><th>Label</th><th>Pattern</th><th>Template</th><th>Inside the window</th><th>Enabled</th></tr></thead><tbody>
${rules.map((rule) => html`<tr><td>${rule.priority}</td><td>${rule.label}</td><td>${rule.pattern.kind === 'prefix' ? `starts with “${rule.pattern.value}”` : `/${rule.pattern.source}/${rule.pattern.flags ?? ''}`}</td>
<td>${rule.template.name}${rule.template.language ? ` (${rule.template.language})` : ''}</td><td>${rule.whenWindowOpen === 'template' ? 'template' : 'free text'}</td><td>${rule.enabled ? 'yes' : 'no'}</td></tr>`)}</tbody></table>`}`;
    const notice = sync ? syncNotice(sync) : undefined;
    return sendPage(reply, notice?.status ?? 200, { title: 'Templates and rules', body, error: notice?.error, flash: notice?.flash });
  };
  scope.get('/console/locations/:locationId/templates', (request, reply) => show(request, reply));
  scope.post('/console/locations/:locationId/templates', (request, reply) => show(request, reply));
  /** The sync the schedule runs, now (as POST /admin/locations/:id/templates/sync?wait=true), then the page again. */
  scope.post('/console/locations/:locationId/templates/sync', async (request, reply) => {
    const { locationId } = request.params as { locationId: string };
    if (!(await findLocation(ctx.db, locationId))) return show(request, reply);
    const outcome = await syncTemplatesNow(ctx, locationId, SYNC_WAIT_MS);
    if (outcome.kind === 'temporal_unavailable') request.log.error({ err: outcome.error }, 'could not start the template sync');
    return show(request, reply, outcome);
  });
}

/** What the page says after "Sync templates now", and its status (as the admin API's: 409, 503, 502). */
function syncNotice(outcome: TemplateSyncOutcome): { status?: number; flash?: string; error?: string } {
  switch (outcome.kind) {
    case 'not_configured':
      return { status: 409, error: `Not synced: the location has no ${outcome.missing}.` };
    case 'temporal_unavailable':
      return { status: 503, error: 'Not synced: Temporal cannot be reached; try again in a moment.' };
    case 'still_running':
      return { flash: 'The sync is still running; reload this page in a moment.' };
    case 'done': {
      const failure = outcome.result.failed[0];
      if (failure) return { status: 502, error: `The sync failed: ${failure.reason}` };
      const summary = outcome.result.synced[0];
      return { flash: `Synced: ${summary?.templates ?? 0} template(s), ${summary?.changes.length ?? 0} status change(s).` };
    }
  }
}

function decisionCells(decision: TemplateDecision): Html {
  if (decision.kind === 'free_text') return html`<td>free text: “${decision.text}”</td><td>${decision.reason}</td>`;
  if (decision.kind === 'none') return html`<td class="status-failed">no WhatsApp message (${decision.code})</td><td>${decision.reason}</td>`;
  const { parameters } = decision;
  return html`<td>template <strong>${decision.template.name}</strong> (${decision.template.language})${parameters.body.length ? html`, body parameters: ${parameters.body.map((value, index) => html`${index ? ', ' : ''}“${value}”`)}` : ''}</td><td>${decision.reason}</td>`;
}
