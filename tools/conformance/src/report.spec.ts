import { describe, expect, it } from 'vitest';
import { parseCli } from './cli';
import { formatReport, toJUnitXml, type Report } from './report';
import { normaliseUrl } from './run';

const report: Report = {
  homeserver: 'https://example.org',
  baseUrl: 'https://matrix.example.org',
  startedAt: '2026-12-04T17:00:00.000Z',
  durationMs: 1234,
  checks: [
    { id: 'versions', status: 'pass', detail: 'v1.1…v1.12', durationMs: 12.4 },
    { id: 'login', status: 'fail', detail: 'POST <x> & "y": 403 M_FORBIDDEN\u0007', durationMs: 50 },
    { id: 'rtc.focus', status: 'skip', detail: 'no focus', durationMs: 0 },
  ],
  passed: 1,
  failed: 1,
  skipped: 1,
  ok: false,
};

describe('the report', () => {
  it('prints one line per check and a summary', () => {
    expect(formatReport(report).split('\n')).toEqual([
      'matrix-gateway-conformance: https://example.org (client API at https://matrix.example.org)',
      'PASS  versions      12 ms  v1.1…v1.12',
      'FAIL  login         50 ms  POST <x> & "y": 403 M_FORBIDDEN\u0007',
      'SKIP  rtc.focus      0 ms  no focus',
      'FAILED: 1 passed, 1 failed, 1 skipped in 1.2 s',
      '',
    ]);
  });

  it('writes JUnit XML with escaped text and no control characters', () => {
    const xml = toJUnitXml(report);
    expect(xml).toContain('<testsuites name="matrix-gateway-conformance" tests="3" failures="1" skipped="1"');
    expect(xml).toContain(
      '<failure message="POST &lt;x&gt; &amp; &quot;y&quot;: 403 M_FORBIDDEN" type="ConformanceFailure">',
    );
    expect(xml).toContain('<skipped message="no focus"/>');
    expect(xml).toContain('name="versions" time="0.012"');
    expect(xml).not.toContain('\u0007');
  });
});

describe('the command line', () => {
  it('reads every option', () => {
    expect(
      parseCli([
        '--homeserver',
        'example.org',
        '--access-token',
        't',
        '--junit',
        'out.xml',
        '--timeout',
        '500',
      ]),
    ).toEqual({
      help: false,
      junit: 'out.xml',
      options: {
        homeserver: 'example.org',
        user: undefined,
        password: undefined,
        accessToken: 't',
        adminToken: undefined,
        requestTimeoutMs: 500,
      },
    });
    expect(parseCli(['-h'])).toEqual({ help: true });
  });

  it.each([
    [[], '--homeserver is required'],
    [['--homeserver', 'x', '--user', 'a'], '--user and --password go together'],
    [['--homeserver', 'x', '--timeout', 'soon'], '--timeout must be a positive number of milliseconds'],
    [['--homeserver', 'x', '--colour'], "Unknown option '--colour'"],
  ])('refuses %j', (argv, message) => {
    expect(parseCli(argv)).toContain(message);
  });

  it('turns a server name into an https URL', () => {
    expect(normaliseUrl('example.org')).toBe('https://example.org');
    expect(normaliseUrl('http://127.0.0.1:8008/')).toBe('http://127.0.0.1:8008');
  });
});
