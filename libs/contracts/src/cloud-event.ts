import { z } from 'zod';
import { Actor, IpAddress, IsoTimestamp, WorkspaceId } from './scalars';

// CloudEvents 1.0 context attributes plus Keyway's extension attributes. Extension names are
// lowercase alphanumeric and their values primitive, as CloudEvents requires.
const envelopeShape = {
  specversion: z.literal('1.0'),
  id: z.uuid().meta({ description: 'Unique per event; a redelivery keeps its id.' }),
  source: z
    .string()
    .regex(/^\/keyway\/[a-z0-9-]+$/)
    .meta({ description: 'Producing service, e.g. `/keyway/identity`.' }),
  subject: z.string().min(1).meta({ description: 'Aggregate id; `sequence` counts within it.' }),
  time: IsoTimestamp,
  datacontenttype: z.literal('application/json'),
  workspaceid: WorkspaceId,
  sequence: z.int().min(1).meta({
    description: "The aggregate's version after this event: 1, 2, 3… with no gaps.",
  }),
  actor: Actor,
  actorip: IpAddress.optional(),
  actoruseragent: z.string().min(1).max(1024).optional(),
  correlationid: z.string().min(1).max(128).optional(),
  causationid: z.string().min(1).max(128).optional(),
};

/**
 * Any Keyway event, data not checked: for code that stores or forwards events it does not
 * interpret (audit, dead-letter tooling). Unknown extension attributes are dropped.
 */
export const CloudEventEnvelope = z.object({
  ...envelopeShape,
  type: z.string().regex(/^keyway\.[a-z0-9-]+(?:\.[a-z0-9-]+)*\.v[1-9][0-9]*$/),
  workspaceid: WorkspaceId.optional(),
  data: z.unknown(),
});
export type CloudEventEnvelope = z.infer<typeof CloudEventEnvelope>;

/** The schema of one event type: the envelope with `type` fixed and `data` checked. */
export function cloudEventSchema<const TType extends string, TData extends z.ZodType>(
  type: TType,
  data: TData,
) {
  return z.object({ ...envelopeShape, type: z.literal(type), data });
}

export interface CloudEvent<TType extends string, TData> {
  specversion: '1.0';
  id: string;
  source: string;
  type: TType;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  workspaceid: string;
  sequence: number;
  actor: string;
  actorip?: string | undefined;
  actoruseragent?: string | undefined;
  correlationid?: string | undefined;
  causationid?: string | undefined;
  data: TData;
}

/** For every event but an aggregate's first: its sequence continues an existing history. */
export function refineNotFirst(event: { sequence: number }, ctx: z.RefinementCtx): void {
  if (event.sequence < 2) {
    ctx.addIssue({ code: 'custom', path: ['sequence'], message: 'must be >= 2 after creation' });
  }
}

/** For partial updates: a strict object whose fields are all optional, at least one present. */
export function changedFields<TShape extends z.ZodRawShape>(shape: TShape) {
  return z
    .strictObject(shape)
    .partial()
    .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
      message: 'must change at least one field',
    })
    .meta({ minProperties: 1 });
}
