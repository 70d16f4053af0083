import { describe, expect, it } from 'vitest';
import { auditFilterQuery, NO_AUDIT_FILTERS, tokenFilterQuery, userFilterQuery } from './filters';
import { checkCreateUser, tokenBody } from './forms';
import { pageQuery, pagerState, positionOfLink, rangeLabel } from './pagination';

describe('cursor pagination', () => {
  it('asks for the first page, after a cursor, or before one', () => {
    expect(pageQuery({ kind: 'first' }, 20)).toEqual({ 'page[first]': 20 });
    expect(pageQuery({ kind: 'after', cursor: 'c1' }, 20)).toEqual({
      'page[first]': 20,
      'page[after]': 'c1',
    });
    expect(pageQuery({ kind: 'before', cursor: 'c0' }, 20)).toEqual({
      'page[last]': 20,
      'page[before]': 'c0',
    });
  });

  it("follows the API's next and prev links, which carry the cursor", () => {
    const links = {
      next: '/api/admin/v1/users?filter%5Bstatus%5D=locked&page%5Bafter%5D=01ABC&page%5Bfirst%5D=20',
      prev: '/api/admin/v1/users?page%5Bbefore%5D=01AAA&page%5Blast%5D=20',
    };
    expect(pagerState(links)).toEqual({
      next: { kind: 'after', cursor: '01ABC' },
      previous: { kind: 'before', cursor: '01AAA' },
    });
    expect(pagerState({})).toEqual({ next: null, previous: null });
    expect(positionOfLink('/api/admin/v1/users?page%5Bfirst%5D=20')).toBeNull();
  });

  it('labels the range shown', () => {
    expect(rangeLabel(20, 95, 20)).toBe('21–40 of 95');
    expect(rangeLabel(0, 0, 0)).toBe('0 of 0');
    expect(rangeLabel(3, undefined, null)).toBe('3 shown');
  });
});

describe('filters', () => {
  it('sends only the user filters that are set, the search trimmed', () => {
    expect(userFilterQuery({ search: '  ali ', admin: '', status: 'locked' })).toEqual({
      'filter[search]': 'ali',
      'filter[status]': 'locked',
    });
    expect(userFilterQuery({ search: '', admin: 'false', status: '' })).toEqual({ 'filter[admin]': 'false' });
  });

  it('turns audit times into instants and refuses a window that ends before it starts', () => {
    const ok = auditFilterQuery({
      ...NO_AUDIT_FILTERS,
      actor: ' @a:x ',
      type: 'admin.user.locked',
      since: '2026-01-02T03:04',
    });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.query['filter[actor]']).toBe('@a:x');
      expect(ok.query['filter[type]']).toBe('admin.user.locked');
      expect(ok.query['filter[since]']).toBe(new Date('2026-01-02T03:04').toISOString());
    }
    const bad = auditFilterQuery({
      ...NO_AUDIT_FILTERS,
      since: '2026-01-02T03:04',
      until: '2026-01-01T00:00',
    });
    expect(bad).toEqual({ ok: false, problems: { until: 'Must be after "From"' } });
    expect(auditFilterQuery({ ...NO_AUDIT_FILTERS, since: 'yesterday' })).toEqual({
      ok: false,
      problems: { since: 'Not a date and time' },
    });
  });

  it('maps the token view onto one API filter', () => {
    expect(tokenFilterQuery('')).toEqual({});
    expect(tokenFilterQuery('valid')).toEqual({ 'filter[valid]': 'true' });
    expect(tokenFilterQuery('revoked')).toEqual({ 'filter[revoked]': 'true' });
  });
});

describe('forms', () => {
  it('checks a new username before asking the API', () => {
    expect(checkCreateUser({ username: '', password: '', admin: false })).toEqual({
      username: 'Enter a username',
    });
    expect(checkCreateUser({ username: 'Bob', password: '', admin: false }).username).toMatch(/lower-case/);
    expect(checkCreateUser({ username: ' carol ', password: 'x', admin: true })).toEqual({});
  });

  it('builds a registration token body, refusing bad limits and past expiry', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(tokenBody({ token: '', usageLimit: '', expiresAt: '' }, now)).toEqual({ ok: true, body: {} });
    expect(tokenBody({ token: 'abc', usageLimit: '3', expiresAt: '2026-07-01T00:00Z' }, now)).toEqual({
      ok: true,
      body: { token: 'abc', usage_limit: 3, expires_at: '2026-07-01T00:00:00.000Z' },
    });
    expect(tokenBody({ token: 'a b', usageLimit: '0', expiresAt: '2026-05-01T00:00Z' }, now)).toEqual({
      ok: false,
      problems: {
        token: 'Letters, digits and . _ ~ - only (up to 64)',
        usageLimit: 'A whole number of uses, 1 or more',
        expiresAt: 'Must be in the future',
      },
    });
  });
});
