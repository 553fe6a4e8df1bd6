import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gatewayOpenApi } from './openapi';

/** The document as committed in docs/openapi/gateway.json. */
export const renderGatewayOpenApi = (): string => `${JSON.stringify(gatewayOpenApi(), null, 2)}\n`;

if (require.main === module) {
  const target = resolve(process.argv[2] ?? 'docs/openapi/gateway.json');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, renderGatewayOpenApi());
}
