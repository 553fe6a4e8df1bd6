/** Authentication or authorisation failed. */
export class AuthError extends Error {
  constructor(
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    readonly details: Record<string, unknown> = {},
  ) {
    super(
      code === 'UNAUTHENTICATED'
        ? 'a valid API key is required'
        : 'the key lacks the scope this needs',
    );
    this.name = 'AuthError';
  }
}
