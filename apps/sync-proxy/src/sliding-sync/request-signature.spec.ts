import { describe, expect, it } from 'vitest';
import { requestSignature } from './request-signature';

describe(requestSignature.name, () => {
  it('is the same for bodies that differ only in the omitted fields, and differs otherwise', () => {
    const body = { conn_id: 'a', lists: { all: { ranges: [[0, 9]] } } };
    const same = requestSignature({ ...body, txn_id: '1', pos: '5' }, ['txn_id', 'pos']);
    expect(same).toBe(requestSignature({ ...body, txn_id: '2' }, ['txn_id', 'pos']));
    expect(same).not.toBe(requestSignature({ ...body, lists: { all: { ranges: [[0, 19]] } } }, ['txn_id']));
  });

  it('is undefined, not a throw, for nesting JSON.parse accepts and JSON.stringify cannot walk', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(requestSignature({ conn_id: 'a', extensions: deep }, [])).toBeUndefined();
  });
});
