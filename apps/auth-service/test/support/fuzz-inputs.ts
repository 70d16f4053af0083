// The parsers' fuzz specs share libs/testing's seeded generators with the security tier.
export { below, mutateString as mutate, pick, randomText } from '@gateway/testing';
