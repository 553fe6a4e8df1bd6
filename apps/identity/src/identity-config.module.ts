import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { Clock } from './clock';
import { IDENTITY_CONFIG, type IdentityConfig, resolvePepper } from './config';
import { PEPPER } from './pepper';

/** The validated config, the pepper and the clock, for every identity module. */
@Module({})
export class IdentityConfigModule {
  static register(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityConfigModule,
      global: true,
      providers: [
        { provide: IDENTITY_CONFIG, useValue: config },
        Clock,
        {
          provide: PEPPER,
          useFactory: () => {
            const { pepper, development } = resolvePepper(config);
            if (development) {
              new Logger('identity').warn(
                'KEYWAY_PEPPER is not set: using the public development pepper. Keys issued now are for development only.',
              );
            }
            return pepper;
          },
        },
      ],
      exports: [IDENTITY_CONFIG, Clock, PEPPER],
    };
  }
}
