/**
 * The claims templates of an upstream provider's `claims_imports` (MAS writes them in Jinja): a small,
 * safe subset parsed at start, so a template that would need more is refused before anyone signs in.
 * Accepted: literal text and `{{ user.<claim> }}` expressions, each optionally piped through `lower`,
 * `capitalize` or `default('text')`. Nothing is ever evaluated: a template is a list of literal and
 * claim parts, rendered by lookup.
 */

export type TemplateFilter = { kind: 'lower' } | { kind: 'capitalize' } | { kind: 'default'; value: string };

export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'claim'; claim: string; filters: TemplateFilter[] };

export interface ClaimsTemplate {
  /** The template as written, for messages. */
  source: string;
  parts: TemplatePart[];
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const CLAIM = /^user\.([A-Za-z_][A-Za-z0-9_]*)$/;
const DEFAULT_FILTER = /^default\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\)$/;

/** Parses a template, or throws TemplateError saying what is not supported. */
export function parseTemplate(source: string): ClaimsTemplate {
  if (/\{%|\{#/.test(source))
    throw new TemplateError('only {{ … }} expressions are supported, not {% %} or {# #}');
  const parts: TemplatePart[] = [];
  let rest = source;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    if (open < 0) {
      if (rest.includes('}}')) throw new TemplateError('unmatched }}');
      parts.push({ kind: 'text', text: rest });
      break;
    }
    const before = rest.slice(0, open);
    if (before.includes('}}')) throw new TemplateError('unmatched }}');
    if (before !== '') parts.push({ kind: 'text', text: before });
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError('unclosed {{');
    parts.push(expression(rest.slice(open + 2, close).trim()));
    rest = rest.slice(close + 2);
  }
  return { source, parts };
}

function expression(text: string): TemplatePart {
  const [head = '', ...pipes] = splitPipes(text);
  const claim = CLAIM.exec(head.trim());
  if (claim?.[1] === undefined)
    throw new TemplateError(`unsupported expression "${head.trim()}": use user.<claim>`);
  return { kind: 'claim', claim: claim[1], filters: pipes.map((p) => filter(p.trim())) };
}

/** Splits on `|` outside quotes (a default text may contain one). */
function splitPipes(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of text) {
    if (quote !== null) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '|') {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (quote !== null) throw new TemplateError('unclosed quote');
  out.push(current);
  return out;
}

function filter(text: string): TemplateFilter {
  if (text === 'lower') return { kind: 'lower' };
  if (text === 'capitalize') return { kind: 'capitalize' };
  const match = DEFAULT_FILTER.exec(text);
  if (match !== null) return { kind: 'default', value: match[1] ?? match[2] ?? '' };
  throw new TemplateError(`unsupported filter "${text}": use lower, capitalize or default('text')`);
}

/**
 * Renders against the provider's claims (the ID token's, with userinfo's over them). A claim that is
 * absent (or not a string, number or boolean) renders as nothing unless `default` gives it a value;
 * the result is null when it is empty after trimming, which callers read as "the provider gave none".
 */
export function renderTemplate(template: ClaimsTemplate, claims: Record<string, unknown>): string | null {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    // Own claims only: a claim named like an Object.prototype member is simply absent.
    let value = claimText(Object.hasOwn(claims, part.claim) ? claims[part.claim] : undefined);
    for (const f of part.filters) {
      switch (f.kind) {
        case 'default':
          value ??= f.value;
          break;
        case 'lower':
          value = value?.toLowerCase();
          break;
        case 'capitalize':
          value = value === undefined ? undefined : capitalize(value);
          break;
        default: {
          const never: never = f;
          throw new TemplateError(`unknown filter ${String(never)}`);
        }
      }
    }
    out += value ?? '';
  }
  const trimmed = out.trim();
  return trimmed === '' ? null : trimmed;
}

function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Jinja's `capitalize`: the first character upper-case, the rest lower-case. */
function capitalize(value: string): string {
  const first = value.charAt(0);
  return first.toUpperCase() + value.slice(first.length).toLowerCase();
}
