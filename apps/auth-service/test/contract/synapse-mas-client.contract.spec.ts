import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSynapse, type Synapse } from '@gateway/testing';
import { SynapseCallError } from '../../src/synapse/synapse-call-error';
import { SynapseMasClient } from '../../src/synapse/synapse-mas-client';
import { discoveryDocument, startStubAuthService, type StubAuthService } from '../fakes/stub-auth-service';

// The /_synapse/mas/* client against a real Synapse 1.160 in delegated-auth mode. Synapse authenticates
// C-S requests by introspecting at the stub auth service, so these tests also pin down what Synapse
// sends there, what it accepts, and how its 2-minute introspection cache behaves. Synapse's cache
// is keyed by token and never shared across tests here: every test uses its own tokens.
const SECRET = 'contract-shared-secret-3f9a';

describe('SynapseMasClient against Synapse 1.160 (delegated auth)', () => {
  let stub: StubAuthService;
  let synapse: Synapse;
  let client: SynapseMasClient;

  beforeAll(async () => {
    stub = await startStubAuthService(SECRET);
    synapse = await startSynapse({
      mode: 'delegated',
      authService: { endpoint: stub.url, secret: SECRET },
      // reactivate_user needs an index a background update builds (see the reactivate test); do not
      // make the test wait the default ~17 s of 1 s naps between updates.
      extra: { background_updates: { sleep_enabled: false } },
    });
    client = new SynapseMasClient({ baseUrl: synapse.baseUrl, secret: SECRET, timeoutMs: 10_000 });
    await client.provisionUser({ localpart: 'root' });
    await client.upsertDevice('root', 'ROOTDEVICE');
    grant('tok_root', 'root', { device: 'ROOTDEVICE', admin: true });
  });
  afterAll(async () => {
    await synapse.stop();
    await stub.stop();
  });

  interface Grant {
    device?: string;
    admin?: boolean;
    expiresIn?: number;
    /** Put the device in `device_id` (as MAS does for compat sessions) instead of a scope. */
    deviceIdField?: boolean;
  }

  /** Makes the stub auth service answer introspection of `token` as an active token. */
  function grant(token: string, username: string, g: Grant = {}): void {
    const scope = ['urn:matrix:client:api:*'];
    if (g.admin === true) scope.push('urn:synapse:admin:*');
    if (g.device !== undefined && g.deviceIdField !== true)
      scope.push(`urn:matrix:client:device:${g.device}`);
    stub.tokens.set(token, {
      active: true,
      scope: scope.join(' '),
      username,
      sub: `01${username.toUpperCase()}`,
      ...(g.expiresIn === undefined ? {} : { expires_in: g.expiresIn }),
      ...(g.deviceIdField === true ? { device_id: g.device } : {}),
    });
  }

  async function call(
    path: string,
    token: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${synapse.baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  const whoami = (token: string) => call('/_matrix/client/v3/account/whoami', token);
  const adminUser = (localpart: string) =>
    call(`/_synapse/admin/v2/users/${encodeURIComponent(`@${localpart}:localhost`)}`, 'tok_root');

  async function deviceIds(localpart: string): Promise<string[]> {
    const res = await call(`/_synapse/admin/v2/users/@${localpart}:localhost/devices`, 'tok_root');
    expect(res.status).toBe(200);
    return (res.body['devices'] as { device_id: string }[]).map((d) => d.device_id).sort();
  }

  async function expectCallError(
    promise: Promise<unknown>,
    status: number,
    errcode: string,
  ): Promise<SynapseCallError> {
    const err: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SynapseCallError);
    const e = err as SynapseCallError;
    expect({ status: e.status, errcode: e.errcode, failure: e.failure }).toEqual({
      status,
      errcode,
      failure: 'status',
    });
    expect(e.message).not.toContain(SECRET);
    return e;
  }

  describe('Synapse → auth service', () => {
    it('re-publishes the discovery document and introspects with the shared secret', async () => {
      await client.provisionUser({ localpart: 'alice' });
      expect(await client.upsertDevice('alice', 'ALICEDEVICE')).toBe('created');
      grant('tok_alice', 'alice', { device: 'ALICEDEVICE' });

      const me = await whoami('tok_alice');
      expect(me).toEqual({
        status: 200,
        body: { user_id: '@alice:localhost', device_id: 'ALICEDEVICE', is_guest: false },
      });
      const seen = stub.introspections.find((i) => i.form['token'] === 'tok_alice');
      expect(seen?.rawBody).toBe('token=tok_alice&token_type_hint=access_token');
      expect(seen?.headers).toMatchObject({
        authorization: `Bearer ${SECRET}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'x-mas-supports-device-id': '1',
        'user-agent': 'Synapse/1.160.0',
      });

      const metadata = await call('/_matrix/client/v1/auth_metadata', 'unused');
      expect(metadata).toEqual({ status: 200, body: discoveryDocument(stub.url) });
      expect(stub.requests).toContain('GET /.well-known/openid-configuration');
    });

    it('accepts the device as a separate device_id field (compat sessions)', async () => {
      await client.upsertDevice('alice', 'ALICE-COMPAT');
      grant('tok_alice_compat', 'alice', { device: 'ALICE-COMPAT', deviceIdField: true });
      expect((await whoami('tok_alice_compat')).body['device_id']).toBe('ALICE-COMPAT');
    });

    it('caches an introspection answer, but deleting the device ends the token at once', async () => {
      await client.upsertDevice('alice', 'ALICECACHE');
      grant('tok_cache', 'alice', { device: 'ALICECACHE' });
      expect((await whoami('tok_cache')).status).toBe(200);
      expect((await whoami('tok_cache')).status).toBe(200);
      expect(stub.introspectionsOf('tok_cache')).toBe(1);

      // The auth service changing its mind is not seen while the entry is cached (up to 2 min)…
      stub.tokens.set('tok_cache', { active: false });
      expect((await whoami('tok_cache')).status).toBe(200);
      expect(stub.introspectionsOf('tok_cache')).toBe(1);

      // …but Synapse checks the device on every request, so delete_device is the logout.
      await client.deleteDevice('alice', 'ALICECACHE');
      expect(await whoami('tok_cache')).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
      // The failed device check also dropped the cache entry: the next request asks again.
      grant('tok_cache', 'alice', { device: 'ALICECACHE' });
      await client.upsertDevice('alice', 'ALICECACHE');
      expect((await whoami('tok_cache')).status).toBe(200);
      expect(stub.introspectionsOf('tok_cache')).toBe(2);
    });

    it('caches inactive answers too', async () => {
      expect((await whoami('tok_not_yet')).status).toBe(401);
      grant('tok_not_yet', 'alice', { device: 'ALICEDEVICE' });
      expect((await whoami('tok_not_yet')).status).toBe(401);
      expect(stub.introspectionsOf('tok_not_yet')).toBe(1);
    });

    it('answers 500 for a token of an unprovisioned user; user and device are checked after the cache', async () => {
      grant('tok_early', 'early', { device: 'EARLYDEVICE' });
      expect(await whoami('tok_early')).toMatchObject({ status: 500, body: { error: 'User not found' } });
      await client.provisionUser({ localpart: 'early' });
      await client.upsertDevice('early', 'EARLYDEVICE');
      expect((await whoami('tok_early')).status).toBe(200);
      expect(stub.introspectionsOf('tok_early')).toBe(1);
    });

    it('answers 503 when introspection fails, and does not cache the failure', async () => {
      grant('tok_flaky', 'alice', { device: 'ALICEDEVICE' });
      stub.failures.set('tok_flaky', 500);
      expect(await whoami('tok_flaky')).toMatchObject({ status: 503, body: { errcode: 'M_UNKNOWN' } });
      stub.failures.delete('tok_flaky');
      expect((await whoami('tok_flaky')).status).toBe(200);
      expect(stub.introspectionsOf('tok_flaky')).toBe(2);
    });

    it('honours expires_in against the time of introspection, even from the cache', async () => {
      grant('tok_short', 'alice', { device: 'ALICEDEVICE', expiresIn: 1 });
      expect((await whoami('tok_short')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await whoami('tok_short')).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
      expect(stub.introspectionsOf('tok_short')).toBe(1);
    });

    it('grants the admin API only with urn:synapse:admin:*; the shared secret is no admin token', async () => {
      expect((await adminUser('alice')).status).toBe(200);
      expect(await call('/_synapse/admin/v2/users/@alice:localhost', 'tok_alice')).toMatchObject({
        status: 403,
        body: { errcode: 'M_FORBIDDEN' },
      });
      // Synapse introspects the secret like any token; the stub does not know it as one.
      expect((await call('/_synapse/admin/v2/users/@alice:localhost', SECRET)).status).toBe(401);
      expect(stub.introspectionsOf(SECRET)).toBe(1);
    });
  });

  describe('users', () => {
    it('provisionUser creates, then updates profile, e-mails and lock flag', async () => {
      expect(
        await client.provisionUser({
          localpart: 'bob',
          displayName: 'Bob',
          avatarUrl: 'mxc://localhost/bob',
          emails: ['bob@example.org'],
        }),
      ).toBe('created');
      expect(await client.queryUser('bob')).toEqual({
        userId: '@bob:localhost',
        displayName: 'Bob',
        avatarUrl: 'mxc://localhost/bob',
        isSuspended: false,
        isDeactivated: false,
      });
      expect(
        await client.provisionUser({
          localpart: 'bob',
          emails: ['bob@work.example', 'b@example.org'],
          locked: true,
        }),
      ).toBe('updated');
      let admin = (await adminUser('bob')).body;
      expect(admin['locked']).toBe(true);
      expect((admin['threepids'] as { address: string }[]).map((t) => t.address).sort()).toEqual([
        'b@example.org',
        'bob@work.example',
      ]);
      // Absent fields are left alone; null clears.
      expect((await client.queryUser('bob'))?.displayName).toBe('Bob');
      await client.provisionUser({
        localpart: 'bob',
        displayName: null,
        avatarUrl: null,
        emails: null,
        locked: false,
      });
      admin = (await adminUser('bob')).body;
      expect(admin).toMatchObject({ locked: false, threepids: [], displayname: null, avatar_url: null });
    });

    it('provisionUser without a display name defaults it to the localpart', async () => {
      expect(await client.provisionUser({ localpart: 'plain' })).toBe('created');
      expect((await client.queryUser('plain'))?.displayName).toBe('plain');
      expect(await client.provisionUser({ localpart: 'plain' })).toBe('updated');
    });

    it('a locked user keeps using its tokens: Synapse leaves locking to introspection', async () => {
      await client.provisionUser({ localpart: 'locked', locked: true });
      await client.upsertDevice('locked', 'LOCKEDDEVICE');
      grant('tok_locked', 'locked', { device: 'LOCKEDDEVICE' });
      expect((await whoami('tok_locked')).status).toBe(200);
    });

    it('provisionUser refuses an invalid localpart with 400 M_INVALID_USERNAME', async () => {
      const err = await expectCallError(
        client.provisionUser({ localpart: 'Not Valid' }),
        400,
        'M_INVALID_USERNAME',
      );
      expect(err.call).toBe('provision_user');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(
        /^Synapse \/_synapse\/mas\/provision_user failed: HTTP 400 M_INVALID_USERNAME /,
      );
    });

    it('queryUser returns null for an unknown user', async () => {
      expect(await client.queryUser('nobody')).toBeNull();
      expect(await client.queryUser('ALICE')).toBeNull();
    });

    it('isLocalpartAvailable tells free, taken and invalid localparts apart', async () => {
      expect(await client.isLocalpartAvailable('carol')).toEqual({ available: true });
      expect(await client.isLocalpartAvailable('alice')).toMatchObject({
        available: false,
        reason: 'in_use',
        errcode: 'M_USER_IN_USE',
      });
      for (const bad of ['Alice', '_carol', '', 'a:b']) {
        expect(await client.isLocalpartAvailable(bad)).toMatchObject({
          available: false,
          reason: 'invalid',
          errcode: 'M_INVALID_USERNAME',
        });
      }
    });

    it('setDisplayName and unsetDisplayName', async () => {
      await client.setDisplayName('alice', 'Alice A.');
      expect((await client.queryUser('alice'))?.displayName).toBe('Alice A.');
      await client.unsetDisplayName('alice');
      expect((await client.queryUser('alice'))?.displayName).toBeNull();
    });

    it('deleteUser deactivates (ending its tokens) and reactivateUser undoes it without the devices', async () => {
      await client.provisionUser({ localpart: 'dora', displayName: 'Dora' });
      await client.upsertDevice('dora', 'DORADEVICE');
      grant('tok_dora', 'dora', { device: 'DORADEVICE' });
      expect((await whoami('tok_dora')).status).toBe(200);

      await client.deleteUser('dora', false);
      expect(await client.queryUser('dora')).toMatchObject({ isDeactivated: true, displayName: 'Dora' });
      expect((await whoami('tok_dora')).status).toBe(401);
      expect(await deviceIds('dora')).toEqual([]);

      // Synapse upserts into `profiles` here, whose unique index a background update builds after the
      // first start; until then reactivate_user is a 500 (sqlite "ON CONFLICT clause does not match").
      await backgroundUpdatesDone();
      await client.reactivateUser('dora');
      expect(await client.queryUser('dora')).toMatchObject({ isDeactivated: false });
      expect((await whoami('tok_dora')).status).toBe(401);
      await client.upsertDevice('dora', 'DORADEVICE');
      expect((await whoami('tok_dora')).status).toBe(200);
    });

    it('deleteUser with erase also clears the profile', async () => {
      await client.provisionUser({
        localpart: 'erin',
        displayName: 'Erin',
        avatarUrl: 'mxc://localhost/erin',
      });
      await client.deleteUser('erin', true);
      expect(await client.queryUser('erin')).toMatchObject({
        isDeactivated: true,
        displayName: null,
        avatarUrl: null,
      });
      expect((await adminUser('erin')).body['erased']).toBe(true);
    });

    it('allowCrossSigningReset lets the user replace its master key without UIA', async () => {
      await client.provisionUser({ localpart: 'frank' });
      await client.upsertDevice('frank', 'FRANKDEVICE');
      grant('tok_frank', 'frank', { device: 'FRANKDEVICE' });
      const masterKey = (key: string) => ({
        master_key: { user_id: '@frank:localhost', usage: ['master'], keys: { [`ed25519:${key}`]: key } },
      });
      const upload = (key: string) =>
        call('/_matrix/client/v3/keys/device_signing/upload', 'tok_frank', {
          method: 'POST',
          body: masterKey(key),
        });

      expect((await upload('firstkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(200);
      const refused = await upload('secondkeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB');
      expect(refused.status).toBe(401);
      expect(refused.body['flows']).toEqual([
        { stages: ['m.oauth'] },
        { stages: ['org.matrix.cross_signing_reset'] },
      ]);
      expect(refused.body['params']).toEqual({
        'm.oauth': { url: `${stub.url}account/?action=org.matrix.cross_signing_reset` },
        'org.matrix.cross_signing_reset': {
          url: `${stub.url}account/?action=org.matrix.cross_signing_reset`,
        },
      });

      await client.allowCrossSigningReset('frank');
      expect((await upload('secondkeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB')).status).toBe(200);
    });
  });

  describe('devices', () => {
    it('upsertDevice creates, or renames when given a name; updateDeviceDisplayName renames', async () => {
      await client.provisionUser({ localpart: 'gina' });
      grant('tok_gina', 'gina', { device: 'GINAPHONE' });
      const name = async () =>
        (await call('/_matrix/client/v3/devices/GINAPHONE', 'tok_gina')).body['display_name'];

      expect(await client.upsertDevice('gina', 'GINAPHONE', 'Phone')).toBe('created');
      expect(await name()).toBe('Phone');
      expect(await client.upsertDevice('gina', 'GINAPHONE', 'Phone 2')).toBe('updated');
      expect(await name()).toBe('Phone 2');
      expect(await client.upsertDevice('gina', 'GINAPHONE')).toBe('updated');
      expect(await name()).toBe('Phone 2');
      await client.updateDeviceDisplayName('gina', 'GINAPHONE', 'Gina’s phone');
      expect(await name()).toBe('Gina’s phone');
      await expectCallError(client.upsertDevice('gina', 'GINAPHONE', 'x'.repeat(101)), 400, 'M_TOO_LARGE');
    });

    it('updateDeviceDisplayName of an unknown device is 404; deleteDevice of one is a no-op', async () => {
      await expectCallError(client.updateDeviceDisplayName('gina', 'NOSUCHDEVICE', 'x'), 404, 'M_NOT_FOUND');
      await client.deleteDevice('gina', 'NOSUCHDEVICE');
    });

    it('syncDevices adds the missing devices and deletes the others', async () => {
      await client.provisionUser({ localpart: 'hugo' });
      await client.upsertDevice('hugo', 'HUGOOLD');
      await client.syncDevices('hugo', ['HUGOA', 'HUGOB']);
      expect(await deviceIds('hugo')).toEqual(['HUGOA', 'HUGOB']);
      await client.syncDevices('hugo', new Set(['HUGOB', 'HUGOC']));
      expect(await deviceIds('hugo')).toEqual(['HUGOB', 'HUGOC']);
      await client.syncDevices('hugo', []);
      expect(await deviceIds('hugo')).toEqual([]);
    });
  });

  describe('errors', () => {
    const everyCall = (c: SynapseMasClient, localpart: string) => ({
      query_user: () => c.queryUser(localpart),
      is_localpart_available: () => c.isLocalpartAvailable(localpart),
      provision_user: () => c.provisionUser({ localpart }),
      delete_user: () => c.deleteUser(localpart, false),
      reactivate_user: () => c.reactivateUser(localpart),
      set_displayname: () => c.setDisplayName(localpart, 'x'),
      unset_displayname: () => c.unsetDisplayName(localpart),
      allow_cross_signing_reset: () => c.allowCrossSigningReset(localpart),
      upsert_device: () => c.upsertDevice(localpart, 'DEV'),
      delete_device: () => c.deleteDevice(localpart, 'DEV'),
      update_device_display_name: () => c.updateDeviceDisplayName(localpart, 'DEV', 'x'),
      sync_devices: () => c.syncDevices(localpart, []),
    });

    it('every call with a wrong secret is 403, naming the call and not the secret', async () => {
      const wrongSecret = 'wrong-secret-do-not-log';
      const wrong = new SynapseMasClient({ baseUrl: synapse.baseUrl, secret: wrongSecret });
      for (const [name, run] of Object.entries(everyCall(wrong, 'alice'))) {
        const err = await expectCallError(run(), 403, 'M_UNKNOWN');
        expect(err.call).toBe(name);
        expect(err.message).toBe(
          `Synapse /_synapse/mas/${name} failed: HTTP 403 M_UNKNOWN This endpoint must only be called by MAS`,
        );
        expect(err.message).not.toContain(wrongSecret);
      }
    });

    it('every user-scoped call for an unknown user is 404 M_NOT_FOUND', async () => {
      const calls = everyCall(client, 'nobody');
      const userScoped = Object.entries(calls).filter(
        ([name]) => !['query_user', 'is_localpart_available', 'provision_user'].includes(name),
      );
      expect(userScoped).toHaveLength(9);
      for (const [name, run] of userScoped) {
        const err = await expectCallError(run(), 404, 'M_NOT_FOUND');
        expect(err.call).toBe(name);
      }
    });
  });

  /** Polls the admin API until Synapse has no background update left to run. */
  async function backgroundUpdatesDone(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await call('/_synapse/admin/v1/background_updates/status', 'tok_root');
      if (status.status === 200 && Object.keys(status.body['current_updates'] as object).length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`background updates still running: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
