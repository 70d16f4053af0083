export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable identifier, e.g. `sliding-sync.round-trip`. */
  id: string;
  status: CheckStatus;
  /** What was seen (pass), what went wrong (fail) or why it was not checked (skip). */
  detail: string;
  durationMs: number;
}

export interface Report {
  /** The URL the run was given. */
  homeserver: string;
  /** The client-server API base URL the checks used (from the well-known document, or `homeserver`). */
  baseUrl: string;
  startedAt: string;
  durationMs: number;
  checks: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** No check failed. */
  ok: boolean;
}

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** One line per check: status, id, time, detail; then a summary line. */
export function formatReport(report: Report): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 10);
  const lines = [
    `matrix-gateway-conformance: ${report.homeserver} (client API at ${report.baseUrl})`,
    ...report.checks.map((c) => formatCheck(c, width)),
    `${report.ok ? 'OK' : 'FAILED'}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped ` +
      `in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}

export function formatCheck(check: CheckResult, width = 28): string {
  const time = `${Math.round(check.durationMs)} ms`.padStart(8);
  return `${LABEL[check.status]}  ${check.id.padEnd(width)} ${time}  ${check.detail}`;
}

const xml = (s: string): string =>
  s
    // Characters XML 1.0 cannot carry at all.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** JUnit XML as CI systems read it: one testsuite, one testcase per check. */
export function toJUnitXml(report: Report): string {
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="matrix-gateway-conformance" name="${xml(c.id)}" time="${seconds(c.durationMs)}"`;
    if (c.status === 'pass')
      return `${open}>\n      <system-out>${xml(c.detail)}</system-out>\n    </testcase>`;
    if (c.status === 'skip') return `${open}>\n      <skipped message="${xml(c.detail)}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${xml(c.detail)}" type="ConformanceFailure">${xml(c.detail)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="matrix-gateway-conformance" tests="${report.checks.length}" failures="${report.failed}" skipped="${report.skipped}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${xml(report.homeserver)}" tests="${report.checks.length}" failures="${report.failed}" errors="0" skipped="${report.skipped}" time="${seconds(report.durationMs)}" timestamp="${xml(report.startedAt)}">`,
    '    <properties>',
    `      <property name="homeserver" value="${xml(report.homeserver)}"/>`,
    `      <property name="baseUrl" value="${xml(report.baseUrl)}"/>`,
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
