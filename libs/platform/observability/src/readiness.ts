/** One dependency a service needs before it can take traffic (its Postgres, Redis, Kafka…). */
export interface ReadinessCheck {
  readonly name: string;
  /**
   * False for a dependency the service can do without for a while (identity without Kafka keeps
   * accepting changes into its outbox): its failure is reported as `degraded`, readiness stays up.
   */
  readonly critical?: boolean;
  /** Resolves when the dependency answers; rejects with a reason otherwise. */
  check(): Promise<void>;
}

/** DI token under which an app provides its `ReadinessCheck[]`. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Rejects when `work` takes longer than `ms`: a hung dependency must not hang the probe. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
