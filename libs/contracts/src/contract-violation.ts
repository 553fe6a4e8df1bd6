import { type z } from 'zod';

/**
 * A message that does not match its contract. The message names paths and rules only, never
 * input values (an event could carry a secret by mistake); `issues` are zod's, without input.
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  readonly code = 'CONTRACT_VIOLATION';

  constructor(
    readonly contract: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`Message violates ${contract}: ${issues.map(describeIssue).join('; ')}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
  return `${path} ${describeRule(issue)}`;
}

// Our own wording rather than zod's messages, so a custom zod error map cannot leak input.
function describeRule(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'too_small':
      return `is below its minimum (${String(issue.minimum)})`;
    case 'too_big':
      return `is above its maximum (${String(issue.maximum)})`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `has unknown field(s) ${issue.keys.map((key) => JSON.stringify(key.slice(0, 64))).join(', ')}`;
    case 'invalid_union':
      return issue.discriminator === undefined
        ? 'matches no allowed shape'
        : 'is not a known value';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    case 'custom':
      return issue.message;
  }
}

/**
 * Parses a message against a schema: a parsed JSON value, or the raw JSON as a string or bytes
 * (so that `JSON.parse`'s error, which quotes the input, never escapes).
 */
export function parseContract<T>(schema: z.ZodType<T>, contract: string, input: unknown): T {
  let json = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      json = JSON.parse(typeof input === 'string' ? input : new TextDecoder().decode(input));
    } catch {
      throw new ContractViolation(contract, [
        { code: 'custom', path: [], message: 'is not valid JSON' },
      ]);
    }
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ContractViolation(contract, result.error.issues);
  return result.data;
}
