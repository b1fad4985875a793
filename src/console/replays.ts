import type { FastifyInstance } from 'fastify';
import { idProblem } from '../domain/identifiers';
import type { HttpContext } from '../http/context';
import { describeReplay, planReplay, requestReplay, type ReplayPlan } from '../replay/replays';
import { html, type Html } from './html';
import { formOf, messagePath, sendPage } from './respond';

/** The console's messages per replay: one page of selected rows at most. */
const MAX_SELECTED = 500;

/**
 * Replays of failed messages chosen on the Messages page, through the one replay operation (src/replay/replays.ts,
 * as POST /admin/replays): a dry run lists what would happen, a second step confirms; the api's replay runner picks
 * the job up from PostgreSQL within its poll interval.
 */
export function registerReplayPages(scope: FastifyInstance, ctx: HttpContext): void {
  scope.post('/console/replays', async (request, reply) => {
    const form = formOf(request);
    const messageIds = form.getAll('messageId');
    const note = (form.get('note') ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, 500);
    const problem =
      messageIds.length === 0 ? 'Select at least one failed message.' : messageIds.length > MAX_SELECTED ? `At most ${MAX_SELECTED} messages at once.` : messageIds.map((id) => idProblem(id, 300)).find(Boolean);
    if (problem) return sendPage(reply, 400, { title: 'Replay', error: problem, body: html`<p><a href="/console/messages">Back to the messages</a></p>` });
    if (form.get('confirm') !== 'yes') {
      const plan = await planReplay(ctx.db, { messageIds });
      return sendPage(reply, 200, { title: 'Replay: dry run', body: dryRun(plan, note) });
    }
    const { id } = await requestReplay(ctx.db, { messageIds }, { requestedBy: 'console', ...(note ? { note } : {}) });
    return reply.redirect(`/console/replays/${encodeURIComponent(id)}`, 303);
  });

  scope.get('/console/replays/:replayId', async (request, reply) => {
    const replay = await describeReplay(ctx.db, (request.params as { replayId: string }).replayId);
    if (!replay) return sendPage(reply, 404, { title: 'Unknown replay', body: html`<p><a href="/console/messages">Back to the messages</a></p>` });
    const { counts } = replay;
    const body = html`${replay.state === 'running' ? html`<meta http-equiv="refresh" content="2">` : ''}
<p>Replay <code>${replay.id}</code> by ${replay.requestedBy}${replay.note ? html` (${replay.note})` : ''}: <strong id="replay-state">${replay.state}</strong>.
${counts.total} message(s): ${counts.pending} pending, ${counts.replaying} replaying, ${counts.done} done, ${counts.failed} failed, ${counts.skipped} skipped.</p>
<table><thead><tr><th>Message</th><th>Result</th><th>Ledger status</th></tr></thead><tbody>
${replay.messages.map((message) => html`<tr><td><a href="${messagePath(message.messageId)}">${message.highLevelMessageId}</a></td><td>${message.result}</td><td>${message.ledgerStatus}</td></tr>`)}
</tbody></table>${replay.state === 'running' ? html`<p class="muted">This page refreshes itself until the replay is done.</p>` : ''}`;
    return sendPage(reply, 200, { title: 'Replay', body });
  });
}

function dryRun(plan: ReplayPlan, note: string): Html {
  const toReplay = plan.messages.filter((message) => message.action === 'replay');
  return html`<p>${plan.toReplay} message(s) would be replayed with the location's current configuration, templates and consent; ${plan.skipped} skipped.</p>
<table><thead><tr><th>Message</th><th>Action</th><th>Status</th><th>Last failure</th></tr></thead><tbody>
${plan.messages.map(
  (message) => html`<tr><td><a href="${messagePath(message.messageId)}">${message.highLevelMessageId}</a></td><td>${message.action}${message.skip ? ` (${message.skip})` : ''}</td><td>${message.status}</td>
<td><code>${message.lastFailure.code}</code> ${message.lastFailure.reason}</td></tr>`,
)}</tbody></table>
${toReplay.length > 0
  ? html`<form method="post" action="/console/replays">${toReplay.map((message) => html`<input type="hidden" name="messageId" value="${message.messageId}">`)}
<input type="hidden" name="confirm" value="yes"><label>Note <input name="note" value="${note}" size="40"></label>
<button type="submit">Replay ${toReplay.length} message(s)</button></form>`
  : html`<p>Nothing to replay.</p>`}
<p><a href="/console/messages">Back to the messages</a></p>`;
}
