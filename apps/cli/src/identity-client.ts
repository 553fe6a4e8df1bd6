import { type ErrorBody } from '@keyway/contracts';

/** A minimal client of identity's management API for the CLI. */
export class IdentityClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = json as Partial<ErrorBody> | null;
      throw new Error(`${response.status} ${error?.code ?? ''}: ${error?.message ?? text}`);
    }
    return json as T;
  }
}
