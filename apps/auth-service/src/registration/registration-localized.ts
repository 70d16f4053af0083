import { LOCALIZABLE_FIELDS, type LocalizableField, type RegisteredClientMetadata } from './client-metadata';
import { checkClientPageUri, type UriPolicy } from './client-uri-rules';
import { OAuthError } from '../oauth-error';
import { optionalString, type JsonObject } from './registration-fields';

// BCP 47 in the loose form RFC 7591 §2.2 examples use (`fr`, `ja-Jpan-JP`).
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/**
 * Collects `client_name#fr`-style fields (RFC 7591 §2.2) by language tag, each validated like its
 * plain field (localised URIs must also sit on the client_uri host). Keys with a `#` on fields that
 * are not localisable are ignored, like any unknown field.
 *
 * @throws OAuthError `invalid_client_metadata` for a malformed tag or value.
 */
export function readLocalizedFields(
  body: JsonObject,
  clientHost: string | null,
  policy: UriPolicy,
): RegisteredClientMetadata['localized'] {
  // A Map, not an object literal: a tag such as `toString` must not hit the prototype.
  const byTag = new Map<string, Partial<Record<LocalizableField, string>>>();
  for (const key of Object.keys(body)) {
    const hash = key.indexOf('#');
    if (hash < 0) continue;
    const field = LOCALIZABLE_FIELDS.find((name) => name === key.slice(0, hash));
    if (field === undefined) continue;
    const tag = key.slice(hash + 1);
    if (!LANGUAGE_TAG.test(tag)) {
      throw new OAuthError('invalid_client_metadata', `${field}: the suffix after # must be a language tag`);
    }
    const value = optionalString(body, key);
    if (value === undefined) continue;
    if (field !== 'client_name') checkClientPageUri(value, key, clientHost, policy);
    const entry = byTag.get(tag) ?? {};
    entry[field] = value;
    byTag.set(tag, entry);
  }
  return Object.fromEntries(byTag);
}
