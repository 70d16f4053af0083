/**
 * An address a person typed, trimmed, or null when it is not one we would send to: one @, a dotted
 * domain of letters, digits and hyphens (or an IDN label), no spaces, quotes, angle brackets or
 * control characters (nothing that could break out of a mail header), at most 254 characters (RFC 5321).
 */
export function parseEmailAddress(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const value = input.trim();
  if (value.length === 0 || value.length > 254) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return null;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !/^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+$/.test(local)) return null;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  for (const label of labels)
    if (!/^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u.test(label)) return null;
  // Domains are case-insensitive; the local part is kept as typed (lookups compare case-insensitively).
  return `${local}@${domain.toLowerCase()}`;
}
