import { Html, html } from './html';

/** Small, inline, offline: no external asset of any kind. */
const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header a{color:#cfe3ff;text-decoration:none}header a:hover{text-decoration:underline}
header form{margin-left:auto}main{padding:1em 1.5em;max-width:1200px}
table{border-collapse:collapse;background:#fff;margin:.5em 0 1.2em;width:100%}
th,td{border:1px solid #dde1e7;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eef1f5}
form.inline{display:inline}fieldset{border:1px solid #dde1e7;background:#fff;margin:.5em 0}
label{margin-right:.8em;white-space:nowrap}input,select,button,textarea{font:inherit}
button{cursor:pointer}.flash{background:#e6f4ea;border:1px solid #9ccfaa;padding:.5em}
.error{background:#fdecea;border:1px solid #f0a8a0;padding:.5em}pre{white-space:pre-wrap;margin:0;font-size:12px}
.status-failed{color:#b3261e;font-weight:600}.status-delivered,.status-read{color:#1e7b34}.muted{color:#667}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;background:#fff;padding:.6em;border:1px solid #dde1e7}
dt{font-weight:600}dd{margin:0}`;

export interface PageOptions {
  title: string;
  body: Html;
  /** False on the login page: no navigation, no logout. */
  signedIn?: boolean;
  flash?: string | undefined;
  error?: string | undefined;
}

export function page(options: PageOptions): string {
  const nav = options.signedIn === false
    ? html``
    : html`<a href="/console">Overview</a><a href="/console/messages">Messages</a><a href="/console/locations">Locations</a><a href="/console/consent">Consent</a>
<form method="post" action="/console/logout"><button type="submit">Log out</button></form>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} · WhatsApp delivery console</title><style>${new Html(STYLE)}</style></head>
<body><header><strong>WhatsApp delivery console</strong>${nav}</header>
<main><h1>${options.title}</h1>
${options.flash ? html`<p class="flash" role="status">${options.flash}</p>` : ''}
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
${options.body}
</main></body></html>
`.text;
}
