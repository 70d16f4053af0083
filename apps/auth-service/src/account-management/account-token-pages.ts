import type { PersonalSession } from '@gateway/auth-data';
import { API_SCOPES, MAS_ADMIN_SCOPE, SYNAPSE_ADMIN_SCOPE } from '../scopes/matrix-scopes';
import { esc, errorLine, page } from '../pages/layout';
import type { CsrfFor } from './account-pages';

/** Lifetimes offered on the page, in days; every token expires (personal-token-rules.ts caps it). */
export const LIFETIME_DAYS = [1, 7, 30, 90, 365] as const;

/** The scope checkboxes: form field, scope, label; the admin ones only for admins. */
export const SCOPE_FIELDS = [
  { field: 'scope_api', scope: API_SCOPES.stable, label: 'Use Matrix as me (a new device)', admin: false },
  { field: 'scope_synapse_admin', scope: SYNAPSE_ADMIN_SCOPE, label: 'Synapse admin API', admin: true },
  { field: 'scope_mas_admin', scope: MAS_ADMIN_SCOPE, label: 'This service’s admin API', admin: true },
] as const;

export interface TokensView {
  sessions: PersonalSession[];
  admin: boolean;
  csrf: CsrfFor;
  error?: string;
  /** A token just made or regenerated: shown this once. */
  issued?: { name: string; token: string };
}

const hidden = (csrf: string): string => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
const when = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** `/account/tokens`: the user's personal access tokens, a form to make one, and revoke buttons. */
export function tokensPage(v: TokensView): string {
  const items = v.sessions
    .map(
      (s) => `<li><div><strong>${esc(s.humanName)}</strong> <span class="muted">· ${esc(s.scope)}</span></div>
<div class="muted">Created ${esc(when(s.createdAt))} · ${s.lastActiveAt === null ? 'not used yet' : `last used ${esc(when(s.lastActiveAt))}`} · ${s.expiresAt === null ? 'never expires' : `expires ${esc(when(s.expiresAt))}`}</div>
<form method="post" action="/account/tokens/${encodeURIComponent(s.id)}/revoke">${hidden(v.csrf('tokens-revoke', s.id))}<button type="submit" class="small secondary">Revoke ${esc(s.humanName)}</button></form></li>`,
    )
    .join('');
  const issued =
    v.issued === undefined
      ? ''
      : `<p class="notice" role="status">Your new token “${esc(v.issued.name)}”. Copy it now: it is not shown again.</p>
<p><code id="issued-token">${esc(v.issued.token)}</code></p>`;
  const scopes = SCOPE_FIELDS.filter((f) => v.admin || !f.admin)
    .map(
      (f) =>
        `<label><input type="checkbox" name="${f.field}" value="yes"${f.field === 'scope_api' ? ' checked' : ''}> ${esc(f.label)} <span class="muted">(${esc(f.scope)})</span></label>`,
    )
    .join('');
  const lifetimes = LIFETIME_DAYS.map(
    (d) => `<option value="${d}"${d === 30 ? ' selected' : ''}>${d === 1 ? '1 day' : `${d} days`}</option>`,
  ).join('');
  return page(
    'Personal access tokens',
    `<h1>Personal access tokens</h1>
<p class="muted">A token acts as you, for scripts and bots. Anyone holding it can do what it allows until it expires or you revoke it.</p>
${issued}${errorLine(v.error)}
${items === '' ? '<p class="muted">No personal access token.</p>' : `<ul class="sessions">${items}</ul>`}
<h2>New token</h2>
<form method="post" action="/account/tokens">${hidden(v.csrf('tokens-create'))}
<label for="name">Name</label><input type="text" id="name" name="name" maxlength="100" required>
${scopes}
<label for="expires_days">Expires after</label><select id="expires_days" name="expires_days">${lifetimes}</select>
<button type="submit" class="small">Create token</button></form>
<p><a href="/account/">Back to your account</a></p>`,
    { wide: true },
  );
}
