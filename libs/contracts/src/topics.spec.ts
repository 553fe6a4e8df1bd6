import { TOPIC_SPECS, TOPICS } from './index';

describe('topics', () => {
  it('gives every topic, and a dead-letter topic for each, a spec', () => {
    expect(TOPIC_SPECS.map((spec) => spec.name).sort()).toEqual(Object.values(TOPICS).sort());
    for (const topic of [TOPICS.keys, TOPICS.workspaces, TOPICS.usage]) {
      expect(Object.values(TOPICS)).toContain(`${topic}.dlq`);
    }
  });

  it('keeps key and workspace history forever, usage 7 days, dead letters 30 days', () => {
    const byName = Object.fromEntries(TOPIC_SPECS.map((spec) => [spec.name, spec]));
    const day = 86_400_000;
    expect(byName[TOPICS.keys]).toEqual({
      name: 'keyway.keys.v1',
      partitions: 6,
      retentionMs: null,
      cleanupPolicy: 'delete',
    });
    expect(byName[TOPICS.workspaces]).toMatchObject({ partitions: 6, retentionMs: null });
    expect(byName[TOPICS.usage]).toMatchObject({ partitions: 6, retentionMs: 7 * day });
    for (const dlq of [TOPICS.keysDlq, TOPICS.workspacesDlq, TOPICS.usageDlq]) {
      expect(byName[dlq]).toEqual({
        name: dlq,
        partitions: 1,
        retentionMs: 30 * day,
        cleanupPolicy: 'delete',
      });
    }
  });
});
