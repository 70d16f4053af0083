import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { AuthConfig } from '../config';
import { AUTH_CONFIG } from '../tokens';
import { OIDC_ROUTES } from '../oidc/provider.factory';
import { withAuditResponses } from './admin-audit.interceptor';
import { renderDocPage } from './doc-page';
import { buildSpec } from './openapi';
import { ADMIN_OPERATION, type AdminOperation } from './operation';
import { GATEWAY_VERSION } from './version';

/**
 * The OpenAPI document, collected at start from the handlers marked `@Operation(...)`: what is served is
 * exactly what the controllers registered.
 */
@Injectable()
export class AdminSpec implements OnApplicationBootstrap {
  private document: Record<string, unknown> | undefined;
  private page: string | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  onApplicationBootstrap(): void {
    const operations: AdminOperation[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const op = Reflect.getMetadata(ADMIN_OPERATION, handler) as AdminOperation | undefined;
        if (op) operations.push(withAuditResponses(op));
      }
    }
    this.document = buildSpec(operations, {
      baseUrl: this.config.baseUrl,
      version: GATEWAY_VERSION,
      tokenUrl: `${this.config.baseUrl}${OIDC_ROUTES.token}`,
    });
    this.page = renderDocPage(this.document);
  }

  json(): Record<string, unknown> {
    if (!this.document) throw new Error('the admin API document is built at bootstrap');
    return this.document;
  }

  html(): string {
    if (this.page === undefined) throw new Error('the admin API document is built at bootstrap');
    return this.page;
  }
}
