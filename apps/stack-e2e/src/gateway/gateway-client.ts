import { type VerifyKeyRequest, type VerifyKeyResponse } from '@keyway/contracts';
import { Api, type ApiResponse, type KeyBody } from '../support/api';

/** The gateway's verification API as the tests call it. */
export class GatewayClient {
  readonly api: Api;

  constructor(readonly baseUrl: string) {
    this.api = new Api(baseUrl);
  }

  verify(body: VerifyKeyRequest): Promise<ApiResponse<VerifyKeyResponse>> {
    return this.api.post<VerifyKeyResponse>('/v1/verify', body satisfies VerifyKeyRequest);
  }

  /** Forward auth as an ingress asks it: headers only, any method. */
  async authorize(headers: Record<string, string>, method = 'GET', path = '/v1/authorize') {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  }
}

/** Issues a key at identity as `ownerKey`; returns the created resource with its secret. */
export async function issueKey(identity: Api, body: Record<string, unknown>): Promise<KeyBody> {
  const response = await identity.post<KeyBody>('/v1/keys', { name: 'e2e', ...body });
  if (response.status !== 201) throw new Error(`issue failed: ${JSON.stringify(response.json)}`);
  return response.json;
}
