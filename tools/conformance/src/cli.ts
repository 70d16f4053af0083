import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCheck, formatReport, toJUnitXml } from './report';
import { runConformance, type ConformanceOptions } from './run';

export const USAGE = `Usage: matrix-gateway-conformance --homeserver <url> [options]

Checks a live Matrix 2.0 deployment from the outside (public client endpoints only): well-known and
versions, OAuth 2.0 metadata, a login, whoami, sliding sync and a message round trip, a MatrixRTC token,
QR-login rendezvous and the services' public health endpoints.

  --homeserver <url>     the server name (example.org) or the client API base URL    (required)
  --user <name>          log in with a password through /login, when the server offers it
  --password <password>
  --access-token <token> use this access token instead of logging in (e.g. from an OAuth login)
  --admin-token <token>  an administrator's access token, used the same way
  --junit <file>         also write the results as JUnit XML
  --timeout <ms>         bound on each request (default 10000)
  --help                 show this text

Exit status: 0 when no check failed, 1 when one did, 2 for bad arguments.`;

/** Parses the command line; a string is a usage error to print. */
export function parseCli(
  argv: string[],
): { help: true } | { help: false; options: ConformanceOptions; junit: string | undefined } | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        homeserver: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        'access-token': { type: 'string' },
        'admin-token': { type: 'string' },
        junit: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (values.help === true) return { help: true };
  if (values.homeserver === undefined || values.homeserver === '') return '--homeserver is required';
  if ((values.user === undefined) !== (values.password === undefined))
    return '--user and --password go together';
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0))
    return '--timeout must be a positive number of milliseconds';
  return {
    help: false,
    junit: values.junit,
    options: {
      homeserver: values.homeserver,
      user: values.user,
      password: values.password,
      accessToken: values['access-token'],
      adminToken: values['admin-token'],
      requestTimeoutMs: timeout,
    },
  };
}

/** The command: prints one line per check as it completes, then a summary; resolves to the exit status. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCli(argv);
  if (typeof parsed === 'string') {
    err.write(`matrix-gateway-conformance: ${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  out.write(`matrix-gateway-conformance: ${parsed.options.homeserver}\n`);
  const report = await runConformance({
    ...parsed.options,
    onCheck: (check) => out.write(`${formatCheck(check)}\n`),
  });
  const lines = formatReport(report).trimEnd().split('\n');
  out.write(`${lines[lines.length - 1] ?? ''}\n`);
  if (parsed.junit !== undefined) writeFileSync(parsed.junit, toJUnitXml(report));
  return report.ok ? 0 : 1;
}
