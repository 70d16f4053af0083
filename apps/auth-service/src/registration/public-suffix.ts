/**
 * A deliberately small public-suffix check for client registration (see client-uri-rules.ts).
 *
 * Why it matters: every client URI must be on the `client_uri` host or a subdomain of it, so a client
 * whose `client_uri` were `https://github.io` could claim every GitHub Pages site. MAS checks the full
 * Public Suffix List; this default covers single-label names (every TLD) and the shared-hosting
 * suffixes most likely to be abused. Pass a full PSL lookup through the registration options to be
 * exhaustive.
 */

// Multi-label suffixes: common ICANN second levels and the PSL's private section for big hosters.
const KNOWN_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'me.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.nz',
  'co.jp',
  'ne.jp',
  'or.jp',
  'com.br',
  'com.cn',
  'com.mx',
  'co.in',
  'co.za',
  'com.tr',
  'com.tw',
  'co.kr',
  'eu.org',
  'github.io',
  'githubusercontent.com',
  'gitlab.io',
  'netlify.app',
  'vercel.app',
  'pages.dev',
  'workers.dev',
  'herokuapp.com',
  'appspot.com',
  'web.app',
  'firebaseapp.com',
  'azurewebsites.net',
  'cloudfront.net',
  'blogspot.com',
  'glitch.me',
  'fly.dev',
  'onrender.com',
  'ngrok.io',
  'ngrok-free.app',
  'duckdns.org',
  'no-ip.org',
  'dyndns.org',
  'repl.co',
  'surge.sh',
  'codeberg.page',
]);

// Hosts that are not DNS names at all: loopback names and IP literals are never public suffixes.
const NOT_A_DOMAIN = /^(?:localhost|\[[0-9a-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Whether `host` (a lower-case URL hostname) is a public suffix under which anyone may register. */
export function isKnownPublicSuffix(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (NOT_A_DOMAIN.test(name)) return false;
  return !name.includes('.') || KNOWN_SUFFIXES.has(name);
}
