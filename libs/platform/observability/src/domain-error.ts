/**
 * The base of a service's domain errors: one subclass per domain (`KeyError`, `TrailQueryError`…),
 * each with its own enum of stable string codes, unique across the service's domains. Use cases
 * throw these, never HTTP errors; the service's `errors/http-error.ts` maps every code to an HTTP
 * answer, once.
 */
export abstract class DomainError<TCode extends string = string> extends Error {
  constructor(
    readonly code: TCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Ends an exhaustive switch: the compiler proves it unreachable; at run time it throws. */
export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
