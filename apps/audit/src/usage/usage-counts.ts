import { type OutcomeCounts, VERIFICATION_CODES } from '@keyway/contracts';
import { OUTCOME_COLUMNS } from '../migrations/1732320000200-chained-trail';

/** A row's outcome columns (bigint text) as counts by code, in VERIFICATION_CODES order. */
export function outcomeCounts(row: Readonly<Record<string, unknown>> | null): OutcomeCounts {
  return Object.fromEntries(
    VERIFICATION_CODES.map((code, index) => {
      const column = OUTCOME_COLUMNS[index] as string;
      return [code, row === null ? 0 : Number(row[column] ?? 0)];
    }),
  ) as OutcomeCounts;
}

export const emptyCounts = (): OutcomeCounts => outcomeCounts(null);

export const countsTotal = (counts: OutcomeCounts): number =>
  VERIFICATION_CODES.reduce((sum, code) => sum + counts[code], 0);
