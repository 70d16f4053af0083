import rootPackage from '../../../../package.json';

/** The version the gateway was built as (the repository's package.json), answered at `/version`. */
export const GATEWAY_VERSION: string = rootPackage.version;
