import { createHash } from 'node:crypto';
import { PASSKEY_SCRIPT_HASH, PASSKEY_SCRIPT_PATH } from './passkey-script';

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: string | number | undefined | null): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// Inline and tiny: the pages load nothing from anywhere (no fonts or images; a script only where a
// passkey is used), so they work offline, under a strict CSP and, but for passkeys, without JavaScript.
const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f6fa;color:#1b1d22;margin:0}
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c4c8d0;border-radius:8px;font-size:1rem}
button{margin-top:1rem;width:100%;padding:.7rem;border:0;border-radius:8px;background:#0b7a5b;color:#fff;font-size:1rem;cursor:pointer}
button.secondary{background:#e8eaee;color:#1b1d22}.error{color:#b3261e}.muted{color:#5c6370;font-size:.9rem}
ul{padding-left:1.2rem}code{font-size:1.6rem;letter-spacing:.2rem}
main.wide{max-width:40rem}h2{font-size:1.1rem;margin:1.8rem 0 .4rem}.notice{color:#0b7a5b}
ul.sessions{list-style:none;padding:0}ul.sessions li{border-top:1px solid #e3e6eb;padding:.6rem 0}
button.small{width:auto;padding:.35rem .9rem;margin-top:.4rem;font-size:.9rem}button.danger{background:#b3261e}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}`;

/**
 * The pages' Content-Security-Policy: nothing may load or run — no images, fonts or connections, no
 * script but the passkey script — and the inline stylesheet and that script are allowed by their
 * hashes, not by 'unsafe-inline' or 'self'. Forms may
 * post anywhere (no `form-action`): Chromium applies `form-action` to the redirect that follows a post,
 * and a sign-in ends in a redirect to the client. `frame-ancestors 'none'` backs `X-Frame-Options: DENY`.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  // The passkey pages' one same-origin script, by its hash (the script element carries it as integrity).
  `script-src '${PASSKEY_SCRIPT_HASH}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A complete page. `body` must already be escaped where it carries user or client input. `wide` gives
 * pages with lists (the account page) room for them; `passkeyScript` loads the passkey script.
 */
export function page(
  title: string,
  body: string,
  options: { wide?: boolean; passkeyScript?: boolean } = {},
): string {
  const script =
    options.passkeyScript === true
      ? `<script src="${PASSKEY_SCRIPT_PATH}" integrity="${PASSKEY_SCRIPT_HASH}" defer></script>`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style>${script}</head>
<body><main${options.wide === true ? ' class="wide"' : ''}>${body}</main></body></html>`;
}

export function errorLine(message: string | undefined): string {
  return message === undefined ? '' : `<p class="error" role="alert">${esc(message)}</p>`;
}

/** A page that only says something: an error, a refusal, an expired sign-in. */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${esc(title)}</h1><p>${esc(message)}</p>`);
}
