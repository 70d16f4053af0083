import { seededRandom } from '@gateway/util';
import { mutateJson, mutateText, randomValue, setOwn, type Next } from './json-mutations';
import { below, mutateString, pick, randomText } from './text-mutations';

/**
 * The security tier's request bodies: mutations of one valid example body, each a pure function of
 * (seed, index, example), so a failure names its seed and index and `fuzzBody` rebuilds exactly that
 * body to replay it.
 */
export type BodyExample =
  | { kind: 'json'; value: unknown }
  /**
   * A form post. `keep` names the fields (the CSRF token, the pending-step proof) that most mutations
   * leave alone so the body reaches the form's parser rather than stopping at the CSRF check.
   */
  | { kind: 'form'; fields: Readonly<Record<string, string>>; keep?: readonly string[] };

export interface FuzzBody {
  index: number;
  /** Which mutation made it: the tier counts bodies per mutation. */
  mutation: string;
  /** Undefined: no Content-Type header at all. */
  contentType: string | undefined;
  body: Uint8Array;
}

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Content types a client may send by mistake or on purpose, each with the example's text. */
const WRONG_TYPES = [
  undefined,
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/x-www-form-urlencoded; charset=utf-8',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/octet-stream',
  'application/xml',
  '*/*',
  'application/json, text/plain',
  ';;;',
];

/** One of WRONG_TYPES (`pick` refuses the undefined one). */
const wrongType = (next: Next): string | undefined => WRONG_TYPES[below(next, WRONG_TYPES.length)];

/** Strings the parsers and everything behind them must take: NUL, lone surrogates, RTL, combining marks. */
const NASTY_STRINGS = [
  '\0',
  'a\0b',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDFFF',
  '\u202Eevil',
  'e\u0301\u0301\u0301',
  '😀'.repeat(50),
  '\uFEFF',
  '%00',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\r\nSet-Cookie: x=1',
  '@a:b',
  '!r:hs',
  'a'.repeat(255),
  'a'.repeat(256),
  ' ',
  '',
  'null',
  'true',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
];

/** Invalid UTF-8: stray continuation bytes, overlong forms, encoded surrogates, truncated sequences. */
const BAD_UTF8 = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

const encoder = new TextEncoder();

/** One generator state per body, derived from (seed, index): any single body rebuilds alone. */
function bodyRandom(seed: number, index: number): Next {
  const next = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  next(); // The first draw of neighbouring states is correlated; skip it.
  return next;
}

const JSON_MUTATIONS = [
  'structure',
  'type-confusion',
  'deep',
  'huge-string',
  'oversized',
  'nasty-strings',
  'duplicate-keys',
  'truncated',
  'text-edit',
  'invalid-utf8',
  'content-type',
  'as-form',
  'empty',
  'numbers',
] as const;

const FORM_MUTATIONS = [
  'value',
  'drop-field',
  'repeated-key',
  'array-keys',
  'bad-percent',
  'huge-value',
  'oversized',
  'many-fields',
  'nasty-strings',
  'invalid-utf8',
  'content-type',
  'as-json',
  'empty',
  'separators',
] as const;

/** Body number `index` of the sequence for `seed`; bodies may exceed `bodyLimit` (the endpoint's 413). */
export function fuzzBody(seed: number, index: number, example: BodyExample, bodyLimit: number): FuzzBody {
  const next = bodyRandom(seed, index);
  return example.kind === 'json'
    ? jsonBody(next, index, example.value, bodyLimit)
    : formBody(next, index, example, bodyLimit);
}

function keysOf(value: unknown): string[] {
  const keys = new Set<string>();
  const stack = [value];
  while (stack.length > 0 && keys.size < 200) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    for (const [k, v] of Object.entries(item)) {
      keys.add(k);
      stack.push(v);
    }
  }
  return keys.size > 0 ? [...keys] : ['x'];
}

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `text` with raw bytes spliced in at a random place. */
function withBytes(next: Next, text: string, inserted: readonly number[]): Uint8Array {
  const at = below(next, text.length + 1);
  const head = bytes(text.slice(0, at));
  const tail = bytes(text.slice(at));
  const out = new Uint8Array(head.length + inserted.length + tail.length);
  out.set(head, 0);
  out.set(inserted, head.length);
  out.set(tail, head.length + inserted.length);
  return out;
}

/** A string the size of `length` bytes, some of it multi-byte. */
function hugeString(next: Next, length: number): string {
  const unit = pick(next, ['x', 'é', '😀', '\\', '"', '\0']);
  return unit.repeat(Math.max(1, Math.floor(length / bytes(unit).length)));
}

/** Some string field of the example's tree, set to `value` (or a new field when it has none). */
function replaceSomeString(next: Next, root: unknown, value: unknown): unknown {
  const holders: [Record<string, unknown> | unknown[], string | number][] = [];
  const stack = [root];
  while (stack.length > 0 && holders.length < 200) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    for (const [k, v] of Object.entries(item)) {
      if (typeof v === 'string')
        holders.push([item as Record<string, unknown>, Array.isArray(item) ? Number(k) : k]);
      stack.push(v);
    }
  }
  if (holders.length === 0) {
    if (typeof root === 'object' && root !== null && !Array.isArray(root))
      setOwn(root as Record<string, unknown>, 'x', value);
    return root;
  }
  const [holder, key] = pick(next, holders);
  if (Array.isArray(holder)) holder[key as number] = value;
  else setOwn(holder, String(key), value);
  return root;
}

/** JSON.stringify, except that an undefined root (which it turns into undefined) is an empty body. */
const stringify = (value: unknown): string => (value === undefined ? '' : JSON.stringify(value));

/** Nesting deep enough to break a recursive walk, small enough to pass the body limit. */
function deepText(next: Next, keys: readonly string[], valid: string, bodyLimit: number): string {
  const depth = Math.min(Math.floor(bodyLimit / 3), 2_000 + below(next, 20_000));
  const [open, close] = pick(next, [
    ['[', ']'],
    ['{"a":', '}'],
    ['[{"x":', '}]'],
  ] as const);
  const nested = open.repeat(depth) + '1' + close.repeat(depth);
  const key = pick(next, keys);
  const text = next() < 0.5 ? nested : valid.replace(/^\{/, `{${JSON.stringify(key)}:${nested},`);
  return text.length > bodyLimit ? nested.slice(0, bodyLimit) : text;
}

function jsonBody(next: Next, index: number, example: unknown, bodyLimit: number): FuzzBody {
  const value = structuredClone(example);
  const keys = keysOf(value);
  const valid = JSON.stringify(value);
  const mutation = pick(next, JSON_MUTATIONS);
  const json = (text: string, contentType: string | undefined = JSON_TYPE): FuzzBody => ({
    index,
    mutation,
    contentType,
    body: bytes(text),
  });
  switch (mutation) {
    case 'structure': {
      let tree: unknown = value;
      for (let n = 1 + below(next, 4); n > 0; n--) tree = mutateJson(tree, next, keys);
      try {
        return json(stringify(tree));
      } catch {
        // mutateJson planted nesting too deep for JSON.stringify: send it as text instead.
        return json(deepText(next, keys, valid, bodyLimit));
      }
    }
    case 'type-confusion':
      return json(stringify(randomValue(next, keys)));
    case 'deep':
      return json(deepText(next, keys, valid, bodyLimit));
    case 'huge-string':
      return json(
        JSON.stringify(replaceSomeString(next, value, hugeString(next, bodyLimit - valid.length - 64))),
      );
    case 'oversized':
      return json(JSON.stringify(replaceSomeString(next, value, 'x'.repeat(bodyLimit + below(next, 1024)))));
    case 'nasty-strings':
      return json(
        JSON.stringify(
          replaceSomeString(next, value, next() < 0.7 ? pick(next, NASTY_STRINGS) : randomText(next, 64)),
        ),
      );
    case 'duplicate-keys': {
      const key = pick(next, keys);
      const other = JSON.stringify(randomValue(next, keys) ?? null);
      // Before and after the original: parsers disagree on which duplicate wins.
      return json(
        next() < 0.5
          ? valid.replace(/^\{/, `{${JSON.stringify(key)}:${other},`)
          : valid.replace(/\}$/, `,${JSON.stringify(key)}:${other}}`),
      );
    }
    case 'truncated':
      return json(valid.slice(0, below(next, valid.length)));
    case 'text-edit': {
      let text = valid;
      for (let n = 1 + below(next, 3); n > 0; n--) text = mutateText(text, next);
      return json(text);
    }
    case 'invalid-utf8':
      return { index, mutation, contentType: JSON_TYPE, body: withBytes(next, valid, pick(next, BAD_UTF8)) };
    case 'content-type':
      return json(valid, wrongType(next));
    case 'as-form': {
      const form = new URLSearchParams();
      if (typeof value === 'object' && value !== null)
        for (const [k, v] of Object.entries(value))
          form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
      return json(form.toString(), next() < 0.5 ? FORM_TYPE : JSON_TYPE);
    }
    case 'empty':
      return json(pick(next, ['', ' ', 'null', '[]', '{}', '""', '0', '\n', '\0', '\uFEFF{}']));
    case 'numbers': {
      const number = pick(next, [
        '1e999',
        '-1e999',
        '123456789012345678901234567890',
        '-0',
        '0.0000001e-400',
        '1E+2',
        '0x10',
        'NaN',
        'Infinity',
        '01',
      ]);
      const key = pick(next, keys);
      return json(valid.replace(/^\{/, `{${JSON.stringify(key)}:${number},`));
    }
  }
}

type Pairs = [string, string][];

/**
 * Percent-encoding that, unlike encodeURIComponent, takes lone surrogates (as U+FFFD, as a browser does)
 * and leaves only A-Z a-z 0-9 - _ . ~ unescaped. Built on encodeURIComponent (native, and most of a form
 * body's generation time was a byte-by-byte loop here): the bytes are the loop's, pinned by
 * fuzz-bodies.spec.ts.
 */
function percentEncode(text: string): string {
  // In a `u` regex a surrogate matches only when it is unpaired.
  return encodeURIComponent(text.replace(/\p{Surrogate}/gu, '\uFFFD')).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function encodeForm(pairs: Pairs): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

/** Pairs whose value may be changed: not the kept fields, unless the dice say to break those too. */
function targetIndex(next: Next, pairs: Pairs, keep: readonly string[]): number {
  const free = pairs.map((_, i) => i).filter((i) => !keep.includes(pairs[i]![0]) || next() < 0.1);
  return free.length > 0 ? pick(next, free) : below(next, Math.max(1, pairs.length));
}

function formBody(
  next: Next,
  index: number,
  example: Extract<BodyExample, { kind: 'form' }>,
  bodyLimit: number,
): FuzzBody {
  const keep = example.keep ?? [];
  const pairs: Pairs = Object.entries(example.fields);
  const mutation = pick(next, FORM_MUTATIONS);
  const form = (text: string, contentType: string | undefined = FORM_TYPE): FuzzBody => ({
    index,
    mutation,
    contentType,
    body: bytes(text),
  });
  const at = targetIndex(next, pairs, keep);
  const name = pairs[at]?.[0] ?? 'x';
  switch (mutation) {
    case 'value': {
      if (pairs[at])
        pairs[at] = [name, next() < 0.5 ? randomText(next, 40) : mutateString(next, pairs[at][1])];
      return form(encodeForm(pairs));
    }
    case 'drop-field':
      return form(encodeForm(pairs.filter((_, i) => i !== at)));
    case 'repeated-key': {
      const extra: [string, string] = [name, next() < 0.5 ? '' : randomText(next, 20)];
      return form(encodeForm(next() < 0.5 ? [extra, ...pairs] : [...pairs, extra]));
    }
    case 'array-keys': {
      const suffix = pick(next, ['[]', '[0]', '[a]', '[][]', '.x', '[__proto__]']);
      const renamed: Pairs = pairs.map(([k, v], i) => [i === at ? k + suffix : k, v]);
      if (next() < 0.5) renamed.push([name + suffix, 'second']);
      return form(encodeForm(renamed));
    }
    case 'bad-percent': {
      const raw = pick(next, [
        '%',
        '%z',
        '%zz',
        '%C0%80',
        '%ED%A0%80',
        '%00',
        '%u0041',
        '%%',
        '%FF%FE',
        '+%2',
      ]);
      const text = encodeForm(pairs).replace(
        `${percentEncode(name)}=${percentEncode(pairs[at]?.[1] ?? '')}`,
        `${percentEncode(name)}=${raw}`,
      );
      return form(text === encodeForm(pairs) ? `${text}&${name}=${raw}` : text);
    }
    case 'huge-value': {
      const budget = bodyLimit - encodeForm(pairs).length - 64;
      if (pairs[at]) pairs[at] = [name, 'x'.repeat(Math.max(1, budget))];
      return form(encodeForm(pairs));
    }
    case 'oversized':
      return form(`${encodeForm(pairs)}&pad=${'x'.repeat(bodyLimit + below(next, 1024))}`);
    case 'many-fields': {
      const many: Pairs = [...pairs];
      for (let n = 100 + below(next, 3_000); n > 0; n--) many.push([`f${n}`, String(n)]);
      return form(encodeForm(many).slice(0, bodyLimit));
    }
    case 'nasty-strings':
      if (pairs[at]) pairs[at] = [name, pick(next, NASTY_STRINGS)];
      return form(encodeForm(pairs));
    case 'invalid-utf8':
      return {
        index,
        mutation,
        contentType: FORM_TYPE,
        body: withBytes(next, encodeForm(pairs), pick(next, BAD_UTF8)),
      };
    case 'content-type':
      return form(encodeForm(pairs), wrongType(next));
    case 'as-json':
      return form(JSON.stringify(Object.fromEntries(pairs)), next() < 0.5 ? JSON_TYPE : FORM_TYPE);
    case 'empty':
      return form(pick(next, ['', '&', '=', '==', '&&&', '\0', ' ']));
    case 'separators': {
      const sep = pick(next, ['&&', ';', '&=&', '+', '\n', '&%26=']);
      return form(pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join(sep));
    }
  }
}
