import { isJsonObject } from '@gateway/util';
import type { DelegationRecord } from './delegation-record';

/**
 * Reads a stored record back. Redis is shared and outlives code versions, so anything that does not
 * look like a record is treated as absent rather than trusted.
 */
export function parseRecord(json: string): DelegationRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isJsonObject(value) || !isJsonObject(value['request'])) return null;
  const request = value['request'];
  const phases: unknown[] = ['waiting', 'connected', 'disconnected'];
  const ok =
    typeof value['id'] === 'string' &&
    phases.includes(value['phase']) &&
    ['version', 'restartedAt', 'waitUntil', 'nextAt', 'backoffMs'].every(
      (f) => typeof value[f] === 'number',
    ) &&
    ['room', 'identity', 'delayId', 'csApiBaseUrl', 'serverName'].every(
      (f) => typeof request[f] === 'string',
    ) &&
    typeof request['delayTimeoutMs'] === 'number';
  return ok ? (value as unknown as DelegationRecord) : null;
}
