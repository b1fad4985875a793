/** The small pages the browser lands on after HighLevel's install redirect. Never contains tokens or the code. */

export interface InstallOutcome {
  installed: string[];
  failed: Array<{ locationId: string; reason: string }>;
  companyId?: string | undefined;
}

export function installedPage(outcome: InstallOutcome, publicBaseUrl: string): string {
  const installedList = outcome.installed.map((id) => `<li><code>${escapeHtml(id)}</code></li>`).join('');
  const failedList = outcome.failed.map((failure) => `<li><code>${escapeHtml(failure.locationId)}</code>: ${escapeHtml(failure.reason)}</li>`).join('');
  const title = installedTitle(outcome);
  const example = outcome.installed[0] ?? '<locationId>';
  return page(title, `
<p>${outcome.companyId ? `Agency <code>${escapeHtml(outcome.companyId)}</code>. ` : ''}HighLevel tokens are stored (encrypted) for:</p>
<ul>${installedList || '<li>no location</li>'}</ul>
${failedList ? `<p>HighLevel did not issue a token for:</p><ul>${failedList}</ul><p>Install the app on those locations again.</p>` : ''}
<h2>Next</h2>
<ol>
<li>Configure WhatsApp for each location (Cloud API phone number id, WABA id and access token, or a Twilio account):
<pre>PUT ${escapeHtml(publicBaseUrl)}/admin/locations/${escapeHtml(example)}   (Authorization: Bearer ADMIN_TOKEN)
{ "whatsapp": { "backend": "cloud", "phoneNumberId": "…", "wabaId": "…", "accessToken": "…" } }</pre></li>
<li>In HighLevel, pick this app under Settings → Phone Numbers → Advanced Settings → SMS Provider.</li>
</ol>`);
}

function installedTitle(outcome: InstallOutcome): string {
  if (outcome.installed.length === 1 && outcome.failed.length === 0) return `WhatsApp provider installed for location ${outcome.installed[0]}`;
  // An agency install that approved no sub-account by name (e.g. "all future locations") leaves nothing to store yet.
  if (outcome.installed.length === 0 && outcome.failed.length === 0) return 'No sub-account was approved in this agency install';
  return `WhatsApp provider installed for ${outcome.installed.length} location(s)`;
}

export function installFailedPage(title: string, reason: string): string {
  return page(title, `<p>${escapeHtml(reason)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>${body}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
