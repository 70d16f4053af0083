import { runService } from '@gateway/server';
import { AppModule } from './app.module';
import { dashboardAppOptions } from './app-options';
import { loadDashboardConfig } from './config';

runService('admin-dashboard', () => {
  const config = loadDashboardConfig(process.env);
  return { module: AppModule, options: dashboardAppOptions(config) };
});
