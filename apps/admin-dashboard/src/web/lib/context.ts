import { createContext, useContext } from 'react';
import type { AdminApi } from '../api/client';
import type { RtcApi } from '../api/rtc-api';
import type { AuthSession } from './auth';

export interface Services {
  api: AdminApi;
  rtc: RtcApi;
  session: AuthSession;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('ServicesContext missing');
  return services;
}
