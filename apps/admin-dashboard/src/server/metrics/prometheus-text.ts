/** One sample of the Prometheus text exposition format (version 0.0.4): a name, its labels, a value. */
export interface PromSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A line the format does not allow; the sampler reports the service's scrape as failed with it. */
export class PromParseError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'PromParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const TIMESTAMP = /^-?\d+$/;

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!NUMBER.test(text)) throw new PromParseError(line, `not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

function skipBlanks(s: string, pos: number): number {
  let p = pos;
  while (s[p] === ' ' || s[p] === '\t') p++;
  return p;
}

/** `{a="x",b="y"}` from `pos` (at the brace); answers the labels and the position after the brace. */
function parseLabels(s: string, start: number, line: number): [Record<string, string>, number] {
  // No prototype: a label may be called `__proto__` or `constructor`.
  const labels = Object.create(null) as Record<string, string>;
  let pos = start + 1;
  for (;;) {
    pos = skipBlanks(s, pos);
    if (s[pos] === '}') return [labels, pos + 1];
    const name = LABEL_NAME.exec(s.slice(pos))?.[0];
    if (name === undefined) throw new PromParseError(line, 'label name expected');
    pos = skipBlanks(s, pos + name.length);
    if (s[pos] !== '=') throw new PromParseError(line, `'=' expected after label ${name}`);
    pos = skipBlanks(s, pos + 1);
    if (s[pos] !== '"') throw new PromParseError(line, `quoted value expected for label ${name}`);
    pos++;
    let value = '';
    for (;;) {
      const c = s[pos];
      if (c === undefined) throw new PromParseError(line, `unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const escaped = s[pos + 1];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new PromParseError(line, `bad escape in label ${name}`);
        pos += 2;
        continue;
      }
      value += c;
      pos++;
    }
    if (name in labels) throw new PromParseError(line, `label ${name} given twice`);
    labels[name] = value;
    pos = skipBlanks(s, pos + 1);
    if (s[pos] === ',') {
      pos++;
      continue;
    }
    if (s[pos] === '}') return [labels, pos + 1];
    throw new PromParseError(line, `',' or '}' expected after label ${name}`);
  }
}

/**
 * The samples of a `/metrics` answer (what prom-client writes). Comments (`# HELP`, `# TYPE`) and
 * blank lines are skipped; the optional timestamp is ignored (the sampler stamps its own time). Any
 * other line that is not a sample is an error rather than skipped: a half-read answer must not be
 * charted as a drop to zero.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const n = i + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const name = METRIC_NAME.exec(trimmed)?.[0];
    if (name === undefined) throw new PromParseError(n, 'metric name expected');
    let pos = name.length;
    let labels: Record<string, string> = Object.create(null) as Record<string, string>;
    if (trimmed[pos] === '{') [labels, pos] = parseLabels(trimmed, pos, n);
    const rest = trimmed.slice(pos);
    if (!/^[ \t]/.test(rest)) throw new PromParseError(n, `blank and value expected after ${name}`);
    const fields = rest.trim().split(/[ \t]+/);
    if (fields.length > 2) throw new PromParseError(n, 'more than a value and a timestamp');
    const value = parseValue(fields[0] ?? '', n);
    const timestamp = fields[1];
    if (timestamp !== undefined && !TIMESTAMP.test(timestamp))
      throw new PromParseError(n, `not a timestamp: ${JSON.stringify(timestamp)}`);
    samples.push({ name, labels, value });
  }
  return samples;
}
