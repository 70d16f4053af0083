import { createContext, useContext } from 'react';
import type { AdminApi, JsonClient } from '../api/client';
import type { RtcApi } from '../api/rtc-api';
import type { SyncAdminApi } from '../api/sync-admin';
import type { AuthSession } from './auth';

export interface Services {
  api: AdminApi;
  rtc: RtcApi;
  sync: SyncAdminApi;
  /** The dashboard server's sampled metrics (`/api/metrics/v1`). */
  metrics: JsonClient;
  session: AuthSession;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('ServicesContext missing');
  return services;
}
