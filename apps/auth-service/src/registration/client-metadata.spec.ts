import { describe, expect, it } from 'vitest';
import { isPublicClient, metadataDigest } from './client-metadata';
import { validateClientRegistration } from './client-registration';
import { ELEMENT_X_ANDROID, ELEMENT_X_IOS } from '../../test/support/client-registrations';

describe(isPublicClient.name, () => {
  it('is true for token_endpoint_auth_method none, whose clients must use PKCE', () => {
    expect(isPublicClient({ token_endpoint_auth_method: 'none' })).toBe(true);
    expect(isPublicClient({ token_endpoint_auth_method: 'client_secret_basic' })).toBe(false);
    expect(isPublicClient({ token_endpoint_auth_method: 'private_key_jwt' })).toBe(false);
  });
});

describe(metadataDigest.name, () => {
  it('is the same for the same metadata sent with keys in another order', () => {
    const reordered = Object.fromEntries(Object.entries(ELEMENT_X_IOS).reverse());
    expect(metadataDigest(validateClientRegistration(reordered))).toBe(
      metadataDigest(validateClientRegistration(ELEMENT_X_IOS)),
    );
  });

  it('differs when any value differs', () => {
    expect(metadataDigest(validateClientRegistration(ELEMENT_X_ANDROID))).not.toBe(
      metadataDigest(validateClientRegistration(ELEMENT_X_IOS)),
    );
  });

  it('is hex SHA-256 and ignores undefined fields', () => {
    const metadata = validateClientRegistration(ELEMENT_X_IOS);
    const digest = metadataDigest(metadata);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(metadataDigest({ ...metadata, contacts: undefined })).toBe(digest);
  });
});
