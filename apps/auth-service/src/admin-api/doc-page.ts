import { createHash } from 'node:crypto';
import { esc } from '../pages/layout';

// The page is rendered here, from the document, so it needs no script and loads nothing: the CSP
// allows only this one style element (by hash) and nothing else.
const STYLE = `body{font-family:system-ui,sans-serif;color:#1b1d22;margin:0;background:#f4f6fa}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #c4c8d0}
section{background:#fff;border-radius:10px;padding:1rem 1.5rem;margin:1rem 0;box-shadow:0 1px 3px rgba(0,0,0,.1)}
.method{display:inline-block;min-width:4rem;font-weight:700;text-transform:uppercase}.get{color:#0b6bcb}.post{color:#0b7a5b}
.put{color:#a15c00}.delete{color:#b3261e}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}
pre{background:#f4f6fa;padding:.6rem;overflow-x:auto;border-radius:6px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e8eaee;vertical-align:top}details{margin:.4rem 0}`;

export const DOC_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const pretty = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

/** A self-contained HTML page describing every operation of the OpenAPI document `spec`. */
export function renderDocPage(spec: Json): string {
  const info = obj(spec['info']);
  const sections: string[] = [];
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(obj(spec['paths']))) {
    for (const [method, raw] of Object.entries(obj(item))) {
      const op = obj(raw);
      const tag = text((op['tags'] as unknown[] | undefined)?.[0], 'other');
      const params = (op['parameters'] as Json[] | undefined) ?? [];
      const rows = params
        .map(
          (p) =>
            `<tr><td><code>${esc(text(p['name']))}</code></td><td>${esc(text(p['in']))}</td><td>${
              p['required'] === true ? 'required' : ''
            }</td><td>${esc(text(p['description']))}</td><td><code>${esc(JSON.stringify(p['schema']))}</code></td></tr>`,
        )
        .join('');
      const body = obj(obj(obj(obj(op['requestBody'])['content'])['application/json'])['schema']);
      const responses = Object.entries(obj(op['responses']))
        .map(([status, r]) => {
          const schema = obj(obj(obj(r)['content'])['application/json'])['schema'];
          return `<details><summary><strong>${esc(status)}</strong> ${esc(text(obj(r)['description']))}</summary>${
            schema === undefined ? '<p>No body.</p>' : pretty(schema)
          }</details>`;
        })
        .join('');
      const html = `<section id="${esc(text(op['operationId']))}"><h3><span class="method ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code></h3>
<p>${esc(text(op['summary']))}</p>${op['description'] === undefined ? '' : `<p>${esc(text(op['description']))}</p>`}
${rows === '' ? '' : `<table><tr><th>Parameter</th><th>In</th><th></th><th>Meaning</th><th>Schema</th></tr>${rows}</table>`}
${Object.keys(body).length === 0 ? '' : `<details><summary>Request body</summary>${pretty(body)}</details>`}
<h4>Responses</h4>${responses}</section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  for (const [tag, ops] of [...byTag].sort(([a], [b]) => a.localeCompare(b)))
    sections.push(`<h2>${esc(tag)}</h2>${ops.join('\n')}`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(text(info['title'], 'API'))}</title><style>${STYLE}</style></head>
<body><main><h1>${esc(text(info['title'], 'API'))} <small>${esc(text(info['version']))}</small></h1>
<p>${esc(text(info['description']))}</p><p>The machine-readable document: <a href="spec.json">spec.json</a> (OpenAPI 3.1).</p>
${sections.join('\n')}</main></body></html>`;
}
