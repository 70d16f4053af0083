/**
 * A browser, as far as plain HTML forms need one: a cookie jar per origin, manual redirects, and form
 * posts. Enough to drive the sign-in and consent pages exactly as a user without JavaScript would.
 */
export class Browser {
  private readonly cookies = new Map<string, string>();

  /** The value of a cookie the server set (what a person's browser would keep), if any. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The Cookie header this browser sends: lets another client (the fuzz tier's) post as its session. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(url, { method: 'GET', headers });
  }

  async post(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** A JSON body with this browser's cookies: what a script (not a form) can post to the same route. */
  async postJson(url: string, body: unknown): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Follows redirects until one leaves `origin` (the client's redirect URI) or a page is served. */
  async follow(
    response: Response,
    origin: string,
  ): Promise<{ page?: { url: string; html: string; status: number }; redirect?: URL }> {
    let current = response;
    for (let hops = 0; hops < 20; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || location === null) {
        return { page: { url: current.url, html: await current.text(), status: current.status } };
      }
      const next = new URL(location, current.url || origin);
      if (next.origin !== new URL(origin).origin) return { redirect: next };
      current = await this.get(next.toString());
    }
    throw new Error('too many redirects');
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    const cookie = this.cookieHeader();
    const res = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { Cookie: cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair === undefined || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    Object.defineProperty(res, 'url', { value: target.toString() });
    return res;
  }
}

/** The value of a hidden input in an HTML page. */
export function hiddenInput(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in page:\n${html.slice(0, 500)}`);
  return match[1].replace(/&amp;/g, '&');
}

/** The action of the first form whose action ends with `suffix`. */
export function formAction(html: string, suffix: string): string {
  const match = new RegExp(`action="([^"]*${suffix.replace(/[/.]/g, '\\$&')})"`).exec(html);
  if (!match?.[1]) throw new Error(`no form posting to ${suffix} in page:\n${html.slice(0, 500)}`);
  return match[1];
}

/** Every hidden input of a page (oidc-provider's own forms carry their state this way). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    if (match[1] !== undefined) fields[match[1]] = (match[2] ?? '').replace(/&amp;/g, '&');
  }
  return fields;
}
