/**
 * Random JSON and structural mutations of real request bodies, for the parsers' fuzz tests and the
 * security tier's body generator (`fuzz-bodies.ts`). Seeded by the caller (`seededRandom` of
 * libs/util), so a failure reproduces.
 */
import { pick } from './text-mutations';

export type Next = () => number;
type Container = Record<string, unknown> | unknown[];

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  1.5,
  1000,
  1001,
  1e21,
  -1e21,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_VALUE,
];

export function randomString(next: Next): string {
  const length = Math.floor(next() * 12);
  return Array.from({ length }, () => String.fromCharCode(Math.floor(next() * 0x3000))).join('');
}

export function randomValue(next: Next, keys: readonly string[], depth = 0): unknown {
  switch (Math.floor(next() * (depth > 2 ? 7 : 10))) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return pick(next, NUMBERS);
    case 3:
      return pick(next, ['', '0', '12', '-1', '1.5', '9007199254740993', '$LAZY', '*']);
    case 4:
      return randomString(next);
    case 5:
      return 'x'.repeat(next() < 0.25 ? 200_000 : 65);
    case 6:
      return undefined;
    case 7:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, keys, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let n = Math.floor(next() * 4); n > 0; n--)
        setOwn(object, pick(next, keys), randomValue(next, keys, depth + 1));
      return object;
    }
  }
}

/** Nesting far deeper than any recursive walk survives; built in a loop so the test itself cannot overflow. */
export function deeplyNested(next: Next): unknown {
  let value: unknown = null;
  const asArray = next() < 0.5;
  for (let i = 0; i < 100_000; i++)
    value = asArray ? [value, value === null ? 0 : 1] : { timeline_limit: 1, lists: value };
  return value;
}

/** Like JSON.parse, which creates an own `__proto__` property rather than calling the setter. */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Every container in the document (skipping the walk into the huge ones a mutation planted). */
function containers(root: unknown): Container[] {
  const found: Container[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0 && found.length < 500) {
    const value = stack.pop();
    if (!isContainer(value)) continue;
    found.push(value);
    stack.push(...Object.values(value).slice(0, 20));
  }
  return found;
}

/** One random change somewhere in `root` (in place); `keys` are the field names worth planting. */
export function mutateJson(root: unknown, next: Next, keys: readonly string[]): unknown {
  if (next() < 0.03) return randomValue(next, keys);
  const found = containers(root);
  if (found.length === 0) return root; // the root itself was replaced by a scalar
  const target = pick(next, found);
  const present = Object.keys(target);
  const key = present.length > 0 && next() < 0.8 ? pick(next, present) : pick(next, keys);
  const replacement = next() < 0.05 ? deeplyNested(next) : randomValue(next, keys);
  if (Array.isArray(target)) {
    const at = Math.floor(next() * (target.length + 1));
    if (next() < 0.3) target.splice(at, 1);
    else if (next() < 0.5) target.splice(at, 0, replacement);
    else target[at] = replacement;
  } else if (next() < 0.3) {
    Reflect.deleteProperty(target, key);
  } else {
    setOwn(target, key, replacement);
  }
  return root;
}

export function mutateText(text: string, next: Next): string {
  const at = Math.floor(next() * (text.length + 1));
  switch (Math.floor(next() * 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + pick(next, ['-', '0', '9', '.', 'e', ' ', '+']) + text.slice(at);
    default:
      return text.slice(0, at) + String.fromCharCode(Math.floor(next() * 256)) + text.slice(at);
  }
}
