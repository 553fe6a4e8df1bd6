import { z } from 'zod';
import { type CloudEvent, CloudEventEnvelope, cloudEventSchema, type KeyRevokedV1 } from './index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

describe('CloudEvent envelope', () => {
  it('types the envelope as the CloudEvent interface says', () => {
    const schema = cloudEventSchema('keyway.test.thing.v1', z.strictObject({ n: z.int() }));
    const same: Equals<
      z.infer<typeof schema>,
      CloudEvent<'keyway.test.thing.v1', { n: number }>
    > = true;
    const revoked: Equals<
      KeyRevokedV1,
      CloudEvent<'keyway.key.revoked.v1', { reason: string | null; revokedAt: string }>
    > = true;
    expect([same, revoked]).toEqual([true, true]);
    expect(schema.shape.type.value).toBe('keyway.test.thing.v1');
  });

  it('reads any Keyway event without interpreting its data', () => {
    const raw: unknown = JSON.parse(
      readFileSync(join(__dirname, 'fixtures', 'keyway.usage.aggregated.v1.json'), 'utf8'),
    );
    const envelope = CloudEventEnvelope.parse({ ...(raw as object), type: 'keyway.thing.made.v7' });
    expect(envelope.type).toBe('keyway.thing.made.v7');
    expect(CloudEventEnvelope.safeParse({ ...(raw as object), type: 'Thing' }).success).toBe(false);
    expect(CloudEventEnvelope.safeParse({ ...(raw as object), specversion: '0.3' }).success).toBe(
      false,
    );
  });
});
