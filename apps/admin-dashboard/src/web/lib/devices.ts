/** The scope tokens that name a session's Matrix device (stable, and MSC2967's unstable form). */
const DEVICE_SCOPE = /^urn:matrix:(?:org\.matrix\.msc2967\.)?client:device:(.+)$/;

/** The device id an OAuth or personal session's scope carries, if any. */
export function deviceFromScope(scope: string): string | null {
  for (const token of scope.split(' ')) {
    const id = DEVICE_SCOPE.exec(token)?.[1];
    if (id !== undefined) return id;
  }
  return null;
}

export type DeviceKind = 'oauth' | 'compat' | 'personal';

/** One Matrix device of a user: every active session of the auth service holds one. */
export interface Device {
  deviceId: string;
  kind: DeviceKind;
  /** The session holding it (its id in the admin API). */
  sessionId: string;
  /** The client, the legacy login's name, or the token's name. */
  name: string | null;
  createdAt: string;
  lastActiveAt: string | null;
  lastActiveIp: string | null;
}

interface SessionLike<A> {
  id: string;
  attributes: A;
}

interface OAuthAttributes {
  client_id: string;
  scope: string;
  human_name: string | null;
  created_at: string;
  last_active_at: string | null;
  last_active_ip: string | null;
}
interface CompatAttributes {
  device_id: string | null;
  human_name: string | null;
  created_at: string;
  last_active_at: string | null;
  last_active_ip: string | null;
}
interface PersonalAttributes {
  human_name: string;
  scope: string;
  created_at: string;
  last_active_at: string | null;
  last_active_ip: string | null;
}

/**
 * A user's devices from their active sessions of the three kinds (the auth service's admin API has no
 * device resource; as in MAS, each session is one device, its id in the session's scope or, for a
 * legacy `/login`, in the session itself). Sessions without a device (an admin client's, say) are left
 * out. Most recently active first.
 */
export function devicesOf(sessions: {
  oauth: SessionLike<OAuthAttributes>[];
  compat: SessionLike<CompatAttributes>[];
  personal: SessionLike<PersonalAttributes>[];
}): Device[] {
  const devices: Device[] = [];
  const add = (
    kind: DeviceKind,
    s: SessionLike<Omit<CompatAttributes, 'device_id' | 'human_name'>>,
    deviceId: string | null,
    name: string | null,
  ) => {
    if (deviceId === null) return;
    devices.push({
      deviceId,
      kind,
      sessionId: s.id,
      name,
      createdAt: s.attributes.created_at,
      lastActiveAt: s.attributes.last_active_at,
      lastActiveIp: s.attributes.last_active_ip,
    });
  };
  for (const s of sessions.oauth)
    add('oauth', s, deviceFromScope(s.attributes.scope), s.attributes.human_name ?? s.attributes.client_id);
  for (const s of sessions.compat) add('compat', s, s.attributes.device_id, s.attributes.human_name);
  for (const s of sessions.personal)
    add('personal', s, deviceFromScope(s.attributes.scope), s.attributes.human_name);
  const when = (d: Device) => d.lastActiveAt ?? d.createdAt;
  return devices.sort((a, b) => when(b).localeCompare(when(a)));
}
