/**
 * Removes credentials from text that is about to leave the process (an error message, a log line, a URL
 * echoed in an exception): bearer tokens, `access_token=` style query parameters, user:password in URLs,
 * and the long opaque token shapes the three services issue or receive (Synapse `syt_…`, MAS `mat_…`/
 * `mar_…`, JWTs). A second line of defence: code should not put secrets in messages in the first place.
 */
const PATTERNS: readonly [RegExp, string][] = [
  [/\b(bearer)\s+[^\s"',;]+/gi, '$1 [redacted]'],
  [
    /([?&;](?:access_token|refresh_token|token|password|secret|client_secret|code|jwt)=)[^&#\s"']+/gi,
    '$1[redacted]',
  ],
  [
    /("(?:access_token|refresh_token|token|password|secret|client_secret|jwt)"\s*:\s*")[^"]*"/gi,
    '$1[redacted]"',
  ],
  [/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[redacted]@'],
  [/\b(?:syt|syr|mat|mar|mct)_[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted]'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A URL fit for a message: no credentials, no query string (tokens travel there), no fragment. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    const hadQuery = u.search !== '';
    u.search = '';
    u.hash = '';
    return hadQuery ? `${u.toString()}?[redacted]` : u.toString();
  } catch {
    return redactSecrets(String(url));
  }
}
