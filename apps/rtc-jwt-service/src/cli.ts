/**
 * Operator commands: `node dist/apps/rtc-jwt-service/cli.js <command>`, configured by the same
 * environment as the service (LIVEKIT_*, RTC_*).
 *   appservice-registration [--output FILE]   the registration that gives Synapse's MSC4502 scope
 *   config check                              parse and validate the configuration
 *   doctor [--service-url URL]                check LiveKit, the homeserver, the membership scope, and what clients
 *                                             read to find this service (/rtc/transports, the well-known rtc_foci)
 */
import { writeFileSync } from 'node:fs';
import { cliMain } from '@gateway/util';
import { loadRtcConfig, type RtcConfig } from './config';
import { runDoctor } from './doctor/doctor';
import { renderRegistration } from './membership/appservice-registration';

cliMain<RtcConfig, never>({
  name: 'rtc-jwt-service',
  loadConfig: loadRtcConfig,
  commands: [
    {
      name: 'appservice-registration',
      args: '[--output FILE]',
      summary:
        'print (or write to FILE, mode 0600) the application-service registration holding the is_joined scope; ' +
        'uses LIVEKIT_AS_TOKEN/LIVEKIT_HS_TOKEN (or LIVEKIT_AS_REGISTRATION_FILE) when set, else new tokens',
      options: { output: { type: 'string' } },
      run: ({ config, args, out, err }) => {
        const m = config.membership;
        const yaml = renderRegistration(
          m?.asToken == null || m.hsToken === null ? {} : { asToken: m.asToken, hsToken: m.hsToken },
        );
        const output = args.values['output'];
        if (typeof output !== 'string') {
          out(yaml.trimEnd());
          return 0;
        }
        // `wx`: an existing registration (whose tokens Synapse already trusts) is never overwritten.
        try {
          writeFileSync(output, yaml, { mode: 0o600, flag: 'wx' });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          err(
            `not overwriting ${output}: it exists, and Synapse may trust its tokens; remove it first to write a new one`,
          );
          return 1;
        }
        out(
          `wrote ${output}: add it to Synapse's app_service_config_files, enable experimental_features.msc4502_enabled, ` +
            'and set LIVEKIT_AS_REGISTRATION_FILE to it and LIVEKIT_HS_SERVER_NAME to the server name',
        );
        return 0;
      },
    },
    {
      name: 'doctor',
      args: '[--service-url URL]',
      summary:
        'check that LiveKit accepts our key, that the homeserver answers and answers is_joined to us and (with ' +
        'the URL clients use for this service) that it advertises this service in /rtc/transports and in the ' +
        'well-known rtc_foci; one line per link, exit 1 on any failure',
      options: { 'service-url': { type: 'string' } },
      run: async ({ config, args, out }) => {
        const serviceUrl = args.values['service-url'];
        const findings = await runDoctor(config, typeof serviceUrl === 'string' ? { serviceUrl } : {});
        for (const f of findings) out(`${f.ok ? 'ok  ' : 'FAIL'} ${f.text}`);
        return findings.every((f) => f.ok) ? 0 : 1;
      },
    },
    {
      name: 'config check',
      summary: 'parse and validate the configuration',
      run: ({ config, out }) => {
        const membership =
          config.membership === null
            ? 'membership not checked'
            : `membership checked on ${config.membership.serverName}`;
        out(`configuration OK: LiveKit ${config.livekit.url}, ${membership}`);
        return 0;
      },
    },
  ],
});
