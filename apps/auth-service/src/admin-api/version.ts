/**
 * The gateway's version, answered at `/api/admin/v1/version` and in the OpenAPI document. Kept equal to
 * the repository's package.json by version.spec.ts (the bundle cannot import files outside the app).
 */
export const GATEWAY_VERSION = '0.1.0';
