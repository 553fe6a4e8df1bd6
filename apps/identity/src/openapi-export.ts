import 'reflect-metadata';
import { renderOpenApi, writeOpenApi } from '@keyway/platform-observability';
import { identityConfig, identityEnvSchema } from './config';
import { IdentityModule } from './identity.module';
import { IDENTITY_OPENAPI } from './openapi';

/** The OpenAPI document as committed in docs/openapi/identity.json. */
export const renderIdentityOpenApi = (): Promise<string> =>
  renderOpenApi(
    IdentityModule.register(identityConfig(identityEnvSchema.parse({}))),
    IDENTITY_OPENAPI,
  );

if (require.main === module) writeOpenApi(renderIdentityOpenApi, 'docs/openapi/identity.json');
