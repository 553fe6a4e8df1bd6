import { z } from 'zod';

/**
 * The scope grammar (SPEC "Keys"): parts of letters, digits and `_.-` joined by `:`, the last
 * (action) part optionally `*`. Safe in an HTTP header and in a space-separated list. Requests
 * are checked with it; the v1 event contracts keep their original, looser `Scope` so old events
 * stay readable, and the gateway leaves any scope outside the grammar out of its headers.
 */
export const SCOPE_GRAMMAR = /^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*(?::\*)?$/;

export const ScopeName = z
  .string()
  .max(128)
  .regex(SCOPE_GRAMMAR, 'letters, digits and _.- in parts joined by ":", the last part may be "*"')
  .meta({ description: 'E.g. `companies:read`; `*` may stand for the whole action part.' });
