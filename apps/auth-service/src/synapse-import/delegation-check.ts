import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What the importer needs to know from an operator's homeserver.yaml. */
export interface SynapseConfigFacts {
  serverName: string | null;
  /** `matrix_authentication_service.enabled` or MSC3861 (`experimental_features.msc3861.enabled`). */
  delegated: boolean;
  /** `password_config.pepper` is set: Synapse's hashes are of password + pepper. */
  pepper: boolean;
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Reads the facts from a homeserver.yaml (YAML or JSON text). */
export function synapseConfigFacts(text: string): SynapseConfigFacts {
  const config = record(parse(text) as unknown);
  const mas = record(config['matrix_authentication_service']);
  const msc3861 = record(record(config['experimental_features'])['msc3861']);
  const pepper = record(config['password_config'])['pepper'];
  return {
    serverName: typeof config['server_name'] === 'string' ? config['server_name'] : null,
    delegated: mas['enabled'] === true || msc3861['enabled'] === true,
    pepper: typeof pepper === 'string' && pepper !== '',
  };
}

export function readSynapseConfig(path: string): SynapseConfigFacts {
  return synapseConfigFacts(readFileSync(path, 'utf8'));
}
