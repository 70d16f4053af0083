import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminApi, JsonClient } from './api/client';
import { RtcApi } from './api/rtc-api';
import { SyncAdminApi } from './api/sync-admin';
import { App, SignedOut } from './App';
import { AuthSession, SignInRefused, type DashboardSettings } from './lib/auth';
import { ServicesContext } from './lib/context';
import { navigate } from './lib/router';
import './styles.css';

async function start(): Promise<void> {
  const rootElement = document.getElementById('root');
  if (rootElement === null) throw new Error('no #root');
  const root = createRoot(rootElement);
  const res = await fetch('/config.json');
  const settings = (await res.json()) as DashboardSettings;
  const session = new AuthSession(settings);
  const token = (force: boolean) => session.accessToken(force);
  const api = new AdminApi(token);
  const rtc = new RtcApi(token, settings.rtcAdmin);
  const sync = new SyncAdminApi(token, settings.syncAdmin);
  const metrics = new JsonClient(token, '/api/metrics/v1');
  const render = (refusal?: { message: string; notAdmin: boolean }) => {
    root.render(
      <StrictMode>
        <ServicesContext value={{ api, rtc, sync, metrics, session }}>
          {refusal ? <SignedOut refusal={refusal} /> : <App />}
        </ServicesContext>
      </StrictMode>,
    );
  };
  const here = new URL(window.location.href);
  if (here.pathname === '/callback') {
    try {
      const back = await session.completeSignIn(here);
      navigate(back, true);
    } catch (err) {
      window.history.replaceState(null, '', '/');
      render(
        err instanceof SignInRefused
          ? { message: err.message, notAdmin: err.notAdmin }
          : { message: err instanceof Error ? err.message : String(err), notAdmin: false },
      );
      return;
    }
  }
  render();
}

void start();
