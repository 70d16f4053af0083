/**
 * Delay before the next poll after `failures` consecutive failures: a few quick retries (the homeserver
 * may just be restarting), then doubling to a minute with ±20 % jitter so replicas do not retry in step.
 */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const base = failures <= 3 ? 3_000 : Math.min(3_000 * 2 ** (failures - 3), 60_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}
