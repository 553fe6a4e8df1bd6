import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_CATALOG,
  parseAlertEvent,
  parseKeyEvent,
  parseUsageEvent,
  parseWorkspaceEvent,
  TOPICS,
  type TopicName,
} from './index';

// Frozen fixtures: one per published event type. They must parse forever; never edit one to make
// a change pass. A change that breaks a fixture is a new vN type with a new fixture.
const FIXTURES = join(__dirname, 'fixtures');

const parserOf: Partial<Record<TopicName, (json: unknown) => { type: string }>> = {
  [TOPICS.keys]: parseKeyEvent,
  [TOPICS.workspaces]: parseWorkspaceEvent,
  [TOPICS.usage]: parseUsageEvent,
  [TOPICS.auditAlerts]: parseAlertEvent,
};

describe('frozen fixtures', () => {
  it('exist for exactly the catalogued event types', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(EVENT_CATALOG.map(({ type }) => `${type}.json`).sort());
  });

  it.each(EVENT_CATALOG.map((event) => [event.type, event] as const))(
    '%s parses with its topic parser and its own schema',
    (type, event) => {
      const raw = readFileSync(join(FIXTURES, `${type}.json`), 'utf8');
      const parse = parserOf[event.topic];
      expect(parse).toBeDefined();
      const parsed = parse?.(JSON.parse(raw));
      expect(parsed?.type).toBe(type);
      expect(parsed).toEqual(JSON.parse(raw));
      expect(event.schema.safeParse(JSON.parse(raw)).success).toBe(true);
      // Raw bytes, as a Kafka consumer receives them, parse the same way.
      expect(parse?.(Buffer.from(raw))).toEqual(parsed);
    },
  );
});
