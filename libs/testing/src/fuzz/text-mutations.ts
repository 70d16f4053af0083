/**
 * Seeded pseudo-random strings and text edits for the fuzz tests: a failure reproduces from the seed.
 * Only imported by tests.
 */

/** A random integer in `[0, bound)`. */
export function below(next: () => number, bound: number): number {
  return Math.floor(next() * bound);
}

/** One element of `items`, chosen at random. */
export function pick<T>(next: () => number, items: readonly T[]): T {
  const item = items[below(next, items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

const INTERESTING = ['_', ' ', ':', '/', '=', '#', '%', '\0', '\n', 'é', '😀', '\uD800', '*', '.', '-', '@'];

/** A string mixing ASCII, separators, non-ASCII and lone surrogates, up to `maxLength` long. */
export function randomText(next: () => number, maxLength: number): string {
  const length = below(next, maxLength + 1);
  let out = '';
  for (let i = 0; i < length; i++) {
    const roll = next();
    if (roll < 0.6) out += String.fromCharCode(0x20 + below(next, 0x5f));
    else if (roll < 0.85) out += pick(next, INTERESTING);
    else out += String.fromCharCode(below(next, 0x10000));
  }
  return out;
}

/** `text` with one random edit: truncation, deletion, insertion or substitution. */
export function mutateString(next: () => number, text: string): string {
  const at = below(next, text.length + 1);
  const insert = next() < 0.5 ? pick(next, INTERESTING) : String.fromCharCode(0x20 + below(next, 0x5f));
  switch (below(next, 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + insert + text.slice(at);
    default:
      return text.slice(0, at) + insert + text.slice(at + 1);
  }
}
