import { describe, expect, it } from 'vitest';
import { synapseConfigFacts } from './delegation-check';

describe(synapseConfigFacts.name, () => {
  it('sees delegation through matrix_authentication_service', () => {
    const text =
      'server_name: example.org\nmatrix_authentication_service:\n  enabled: true\n  endpoint: http://mas/\n';
    expect(synapseConfigFacts(text)).toEqual({ serverName: 'example.org', delegated: true, pepper: false });
  });

  it('sees delegation through the experimental MSC3861 block', () => {
    const text = 'server_name: example.org\nexperimental_features:\n  msc3861:\n    enabled: true\n';
    expect(synapseConfigFacts(text).delegated).toBe(true);
  });

  it('a plain Synapse, or one with the block switched off, is not delegated', () => {
    expect(synapseConfigFacts('server_name: example.org\n').delegated).toBe(false);
    expect(synapseConfigFacts('matrix_authentication_service:\n  enabled: false\n').delegated).toBe(false);
    // `enabled: "true"` is a string, which Synapse would refuse too.
    expect(synapseConfigFacts('matrix_authentication_service:\n  enabled: "true"\n').delegated).toBe(false);
  });

  it('reads JSON (valid YAML) and reports a pepper', () => {
    const text = JSON.stringify({ server_name: 'hs', password_config: { pepper: 'salt' } });
    expect(synapseConfigFacts(text)).toEqual({ serverName: 'hs', delegated: false, pepper: true });
  });
});
