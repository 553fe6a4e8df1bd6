import { z } from 'zod';
import { EVENT_CATALOG, type EventType } from '../event-catalog';

export type JsonSchema = z.core.JSONSchema.JSONSchema;

/**
 * JSON Schema (draft-07, which AsyncAPI tools read) of every event type, envelope included.
 * Cross-field rules (sequence 1 on creation, subject = data id…) are only in the zod schemas.
 */
export function eventJsonSchemas(): Record<EventType, JsonSchema> {
  return Object.fromEntries(
    EVENT_CATALOG.map(({ type, summary, schema }) => {
      // `input` leaves the envelope open to unknown extension attributes, as CloudEvents wants;
      // data objects are strict either way.
      const { $schema, ...rest } = z.toJSONSchema(schema, {
        target: 'draft-7',
        io: 'input',
        override: dropApproximatePatterns,
      });
      return [type, { $schema, title: type, description: summary, ...rest }];
    }),
  ) as Record<EventType, JsonSchema>;
}

// zod checks IPv6 addresses with a parser; its regex for them rejects valid forms such as
// `2001:db8::/32`, so the schema keeps only the format.
function dropApproximatePatterns({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === 'ipv6' || jsonSchema.format === 'cidrv6') delete jsonSchema.pattern;
}

/** File name of an event type's schema in `docs/events/`. */
export function eventSchemaFileName(type: EventType): string {
  return `${type}.schema.json`;
}
