// The parsers' fuzz specs share libs/testing's seeded generators with the security tier.
export {
  deeplyNested,
  mutateJson as mutate,
  mutateText,
  pick,
  randomString,
  randomValue,
  setOwn,
  type Next,
} from '@gateway/testing';
