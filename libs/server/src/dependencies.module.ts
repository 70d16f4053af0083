import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Readiness } from './readiness';

/** An external dependency (database, Redis, upstream): built once, probed by `/ready`, closed on shutdown. */
export interface Dependency<T = unknown> {
  provide: InjectionToken;
  /** Name shown in the `/ready` report. */
  name: string;
  create: () => T;
  /** Resolves when it works; a string result (what was verified) is shown in `/ready`'s detail. */
  ping: (instance: T) => Promise<unknown>;
  close: (instance: T) => Promise<void> | void;
}

export function dependency<T>(d: Dependency<T>): Dependency {
  return d as Dependency;
}

const DEPENDENCY_LIST = Symbol('DEPENDENCY_LIST');

class DependencyLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly list: readonly Dependency[],
    private readonly moduleRef: ModuleRef,
    private readonly readiness: Readiness,
  ) {}

  onModuleInit(): void {
    for (const d of this.list) {
      const instance: unknown = this.moduleRef.get(d.provide, { strict: false });
      this.readiness.register(d.name, () => d.ping(instance));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Reverse order: what was built last may depend on what was built first.
    for (const d of [...this.list].reverse()) {
      await d.close(this.moduleRef.get(d.provide, { strict: false }));
    }
  }
}

@Module({})
export class DependenciesModule {
  static forRoot(list: readonly Dependency[]): DynamicModule {
    return {
      module: DependenciesModule,
      global: true,
      providers: [
        ...list.map((d) => ({ provide: d.provide, useFactory: d.create })),
        { provide: DEPENDENCY_LIST, useValue: list },
        {
          provide: DependencyLifecycle,
          inject: [DEPENDENCY_LIST, ModuleRef, Readiness],
          useFactory: (l: readonly Dependency[], ref: ModuleRef, readiness: Readiness) =>
            new DependencyLifecycle(l, ref, readiness),
        },
      ],
      exports: list.map((d) => d.provide),
    };
  }
}
