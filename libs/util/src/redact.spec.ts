import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from './redact';

describe('redactSecrets', () => {
  it.each([
    ['Authorization: Bearer syt_abc_def_ghi123', 'Authorization: Bearer [redacted]'],
    ['GET /sync?since=s1&access_token=abc123 failed', 'GET /sync?since=s1&access_token=[redacted] failed'],
    ['{"access_token":"x.y.z","n":1}', '{"access_token":"[redacted]","n":1}'],
    ['https://user:hunter2@hs.example/x', 'https://[redacted]@hs.example/x'],
    ['token mat_0123456789abcdef seen', 'token [redacted] seen'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig', 'jwt [redacted]'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('connect ECONNREFUSED 127.0.0.1:8008')).toBe('connect ECONNREFUSED 127.0.0.1:8008');
  });
});

describe('redactUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(redactUrl('https://u:p@hs.example:8448/_matrix/x?access_token=t#f')).toBe(
      'https://hs.example:8448/_matrix/x?[redacted]',
    );
    expect(redactUrl('http://hs/_matrix/client/versions')).toBe('http://hs/_matrix/client/versions');
  });
});
