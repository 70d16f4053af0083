import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  /** The gzip form, when it is smaller. */
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  /** Vite's hashed assets never change under their name; everything else is revalidated. */
  immutable: boolean;
}

/**
 * The built single-page app, read once at start (a few hundred KB): every answer comes from memory, and
 * a missing build stops the server at start instead of answering 404 to every page.
 */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const url = `/${relative(dir, path).split(sep).join('/')}`;
      const body = readFileSync(path);
      const type = TYPES[extname(name)] ?? 'application/octet-stream';
      const zipped = type.startsWith('image/png') ? undefined : gzipSync(body, { level: 9 });
      files.set(url, {
        body,
        gzip: zipped !== undefined && zipped.length < body.length ? zipped : undefined,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: url.startsWith('/assets/'),
      });
    }
  };
  walk(dir);
  if (!files.has('/index.html'))
    throw new Error(`no index.html in ${dir}: build the dashboard first (nx build admin-dashboard)`);
  return files;
}
