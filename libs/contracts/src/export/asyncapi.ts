import { EVENT_CATALOG } from '../event-catalog';
import { TOPIC_SPECS, TOPICS, type TopicName } from '../topics';
import { eventSchemaFileName } from './json-schemas';

const CHANNELS: readonly { id: string; topic: TopicName; description: string; key: string }[] = [
  {
    id: 'keys',
    topic: TOPICS.keys,
    description: 'Key lifecycle. Replaying it from the start rebuilds every key’s state.',
    key: 'Key id (= subject), so a key’s events stay in order.',
  },
  {
    id: 'workspaces',
    topic: TOPICS.workspaces,
    description: 'Workspaces, their members and their identities (external key owners).',
    key: 'Workspace id (= workspaceid), so a workspace’s and its members’ events stay in order.',
  },
  {
    id: 'usage',
    topic: TOPICS.usage,
    description: 'Verification outcomes aggregated per key by each gateway replica.',
    key: 'data.keyId, or the subject (usage stream) when the key is unknown.',
  },
  {
    id: 'auditAlerts',
    topic: TOPICS.auditAlerts,
    description: 'Alerts audit raises and resolves (docs/api/audit-alerts.md).',
    key: 'Alert id (= subject), so an alert’s raise and resolve stay in order.',
  },
];

const DESCRIPTION = [
  'Every message is a CloudEvents 1.0 structured JSON event (Kafka header',
  '`content-type: application/cloudevents+json`). Delivery is at least once: consumers are',
  'idempotent by (subject, sequence). A change to a type is a new vN type, never an edit.',
  'Messages a consumer cannot handle are parked on `<topic>.dlq`.',
].join(' ');

/** The AsyncAPI 3.0 document of Keyway's topics; payloads reference `<type>.schema.json`. */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const channel of CHANNELS) {
    const spec = TOPIC_SPECS.find((topic) => topic.name === channel.topic);
    if (!spec) throw new Error(`No topic spec for ${channel.topic}`);
    const events = EVENT_CATALOG.filter((event) => event.topic === channel.topic);
    channels[channel.id] = {
      address: channel.topic,
      description: channel.description,
      messages: Object.fromEntries(
        events.map((event) => [event.name, { $ref: `#/components/messages/${event.name}` }]),
      ),
      bindings: {
        kafka: {
          topic: channel.topic,
          partitions: spec.partitions,
          topicConfiguration: {
            'cleanup.policy': [spec.cleanupPolicy],
            'retention.ms': spec.retentionMs ?? -1,
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    operations[`publish-${channel.id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel.id}` },
      messages: events.map((event) => ({
        $ref: `#/channels/${channel.id}/messages/${event.name}`,
      })),
    };
    for (const event of events) {
      messages[event.name] = {
        name: event.type,
        title: event.name,
        summary: event.summary,
        contentType: 'application/cloudevents+json',
        payload: {
          schemaFormat: 'application/schema+json;version=draft-07',
          schema: { $ref: `./${eventSchemaFileName(event.type)}` },
        },
        bindings: {
          kafka: {
            key: { type: 'string', description: channel.key },
            bindingVersion: '0.5.0',
          },
        },
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: { title: 'Keyway events', version: '1.0.0', description: DESCRIPTION },
    defaultContentType: 'application/cloudevents+json',
    channels,
    operations,
    components: { messages },
  };
}
