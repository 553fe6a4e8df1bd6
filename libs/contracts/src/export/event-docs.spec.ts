import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument, EVENT_CATALOG, eventJsonSchemas } from '../index';
import { ASYNCAPI_FILE_NAME, findRepoRoot } from './export-schemas';

// docs/events is generated; this fails when it drifts from the schemas. To refresh it:
// node scripts/build.mjs && node dist/libs/contracts/src/export/export-schemas.js
const DOCS = join(findRepoRoot(__dirname), 'docs', 'events');
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(DOCS, file), 'utf8'));

describe('docs/events', () => {
  const schemas = eventJsonSchemas();

  it('holds one schema file per event type, no more', () => {
    const files = readdirSync(DOCS).filter((file) => file.endsWith('.schema.json'));
    expect(files.sort()).toEqual(
      Object.keys(schemas)
        .map((type) => `${type}.schema.json`)
        .sort(),
    );
  });

  it.each(Object.entries(schemas))('%s.schema.json is up to date', (type, schema) => {
    expect(readJson(`${type}.schema.json`)).toEqual(schema);
  });

  it('asyncapi.json is up to date', () => {
    expect(readJson(ASYNCAPI_FILE_NAME)).toEqual(asyncApiDocument());
  });

  it('asyncapi.json describes every event type on its topic', () => {
    const doc = asyncApiDocument() as {
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
      components: {
        messages: Record<string, { name: string; payload: { schema: { $ref: string } } }>;
      };
    };
    for (const event of EVENT_CATALOG) {
      const channel = Object.values(doc.channels).find((c) => c.address === event.topic);
      expect(channel?.messages).toHaveProperty(event.name);
      expect(doc.components.messages[event.name]?.name).toBe(event.type);
      expect(doc.components.messages[event.name]?.payload.schema.$ref).toBe(
        `./${event.type}.schema.json`,
      );
    }
  });

  it('schemas forbid extra data fields, so a stray secret cannot pass', () => {
    const issued = schemas['keyway.key.issued.v1'] as {
      properties: { data: { additionalProperties: unknown } };
    };
    expect(issued.properties.data.additionalProperties).toBe(false);
  });
});
