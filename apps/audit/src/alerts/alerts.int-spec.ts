import { Kafka, logLevel } from 'kafkajs';
import { register } from 'prom-client';
import { type DataSource } from 'typeorm';
import {
  ALERT_EVENT_TYPES,
  parseAlertEvent,
  TOPIC_SPECS,
  TOPICS,
  VERIFICATION_CODES,
  type VerificationCode,
} from '@keyway/contracts';
import { openDatabase } from '@keyway/platform-database';
import { createKafka, ensureTopics, EventPublisher } from '@keyway/platform-kafka';
import {
  dropDatabase,
  kafkaBrokers,
  postgresFromEnv,
  TopicReader,
  uniqueName,
} from '@keyway/platform-testing';
import { AuditEventsRepository } from '../chain/audit-events.repository';
import { ChainAppender } from '../chain/chain-appender';
import { ChainHeadsRepository } from '../chain/chain-heads.repository';
import { Clock } from '../clock';
import { type AuditConfig } from '../config';
import { AUDIT_MIGRATIONS } from '../migrations';
import { type IngestedUsage } from '../usage/ingested-usage';
import { AlertDetectors } from './alert-detectors';
import { AlertEvaluator } from './alert-evaluator';
import { AlertOutboxRepository } from './alert-outbox.repository';
import { AlertPublisher } from './alert-publisher';
import { AlertQueries } from './alert-queries';
import { AlertRecorder } from './alert-recorder';
import { AlertError } from './alert.errors';
import { AlertsRepository } from './alerts.repository';
import { CreateSuppression, SUPPRESSION_CREATED } from './create-suppression';
import { DeleteSuppression, SUPPRESSION_DELETED } from './delete-suppression';
import { DetectorProgressRepository } from './detector-progress.repository';
import { KeyHistoryReader } from './key-history.reader';
import { type RequestContext } from './request-context';
import { SuppressionsRepository } from './suppressions.repository';

class TestClock extends Clock {
  time = new Date('2025-03-01T12:00:00.000Z');
  override now(): Date {
    return this.time;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = new Date('2025-03-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

const config = {
  alerts: {
    evaluateIntervalMs: 1_000,
    settleMs: 0,
    burst: { floorPerMinute: 100, factor: 5, baselineMinutes: 60, quietMinutes: 5 },
    deniedKeyQuietMinutes: 60,
    newNetwork: { keyAgeMs: 24 * HOUR, ipv4Prefix: 24, ipv6Prefix: 48, quietMinutes: 1_440 },
    publishIntervalMs: 100,
  },
} as AuditConfig;

const counts = (some: Partial<Record<VerificationCode, number>>) =>
  Object.fromEntries(VERIFICATION_CODES.map((code) => [code, some[code] ?? 0])) as Record<
    VerificationCode,
    number
  >;

describe('alerts (real Postgres and Kafka)', () => {
  const database = uniqueName('int_alerts');
  const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'alerts-int' });
  const publisher = new EventPublisher(kafka);
  const clock = new TestClock();
  let dataSource: DataSource;
  let detectors: AlertDetectors;
  let evaluator: AlertEvaluator;
  let queries: AlertQueries;
  let createSuppression: CreateSuppression;
  let deleteSuppression: DeleteSuppression;
  let outbox: AlertOutboxRepository;
  let reader: TopicReader;

  beforeAll(async () => {
    dataSource = await openDatabase({
      connection: { ...postgresFromEnv(), database, poolSize: 5 },
      entities: [],
      migrations: AUDIT_MIGRATIONS,
      applicationName: 'alerts-int',
    });
    const alerts = new AlertsRepository(dataSource);
    const suppressions = new SuppressionsRepository(dataSource);
    outbox = new AlertOutboxRepository(dataSource);
    const recorder = new AlertRecorder(alerts, outbox, suppressions);
    const history = new KeyHistoryReader();
    const appender = new ChainAppender(
      new ChainHeadsRepository(),
      new AuditEventsRepository(),
      clock,
    );
    detectors = new AlertDetectors(recorder, history, clock, config);
    evaluator = new AlertEvaluator(
      dataSource,
      recorder,
      alerts,
      history,
      new DetectorProgressRepository(),
      config,
    );
    queries = new AlertQueries(alerts, suppressions);
    createSuppression = new CreateSuppression(dataSource, suppressions, appender, clock);
    deleteSuppression = new DeleteSuppression(dataSource, suppressions, appender, clock);
    await ensureTopics(
      kafka,
      TOPIC_SPECS.filter((spec) => spec.name === TOPICS.auditAlerts),
    );
    reader = await TopicReader.start(TOPICS.auditAlerts);
  });

  afterAll(async () => {
    await reader.stop();
    await publisher.disconnect();
    await dataSource.destroy();
    await dropDatabase(database);
  });

  beforeEach(async () => {
    clock.time = T0;
    await dataSource.query(
      `TRUNCATE alerts, alert_outbox, alert_suppressions, alert_detector_progress, usage_rollups,
                usage_windows, key_activity, key_addresses`,
    );
  });

  // What usage ingest records before it hands the detectors a window.
  async function keySeen(
    keyId: string,
    workspaceId: string,
    firstSeenAt: Date,
    addresses: string[],
  ) {
    await dataSource.query(
      `INSERT INTO key_activity (key_id, workspace_id, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $3)`,
      [keyId, workspaceId, firstSeenAt],
    );
    for (const address of addresses) {
      await dataSource.query(
        `INSERT INTO key_addresses (key_id, address, workspace_id, first_seen_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $4)`,
        [keyId, address, workspaceId, firstSeenAt],
      );
    }
  }

  const window = (
    keyId: string,
    start: Date,
    some: Partial<Record<VerificationCode, number>>,
    clientAddresses: string[],
    newAddresses: string[] = [],
    workspaceId = 'ws_alpha',
  ): IngestedUsage => ({
    workspaceId,
    keyId,
    windowStart: start,
    windowEnd: new Date(start.getTime() + 1_000),
    firstSeenAt: start,
    lastSeenAt: new Date(start.getTime() + 900),
    counts: counts(some),
    clientAddresses,
    newAddresses,
  });

  const observe = (usage: IngestedUsage[]) =>
    dataSource.transaction((manager) => detectors.observe(manager, usage));

  async function minuteRow(
    keyId: string,
    minute: Date,
    outcomes: Record<string, number>,
    workspaceId = 'ws_alpha',
  ) {
    const columns = Object.keys(outcomes);
    await dataSource.query(
      `INSERT INTO usage_rollups (key_id, granularity, bucket_start, workspace_id, ${columns.join(', ')})
       VALUES ($1, 'minute', $2, $3, ${columns.map((_, i) => `$${i + 4}`).join(', ')})`,
      [keyId, minute, workspaceId, ...Object.values(outcomes)],
    );
  }

  const alertRows = (): Promise<
    Array<{ id: string; kind: string; key_id: string; status: string }>
  > =>
    dataSource.query(
      `SELECT id, kind, key_id, status FROM alerts ORDER BY raised_at, key_id, kind`,
    );

  const outboxRows = (): Promise<Array<{ alert_id: string; sequence: number; payload: string }>> =>
    dataSource.query(`SELECT alert_id, sequence, payload FROM alert_outbox ORDER BY id`);

  const suppressedCount = async (kind: string) =>
    (
      (await register.getSingleMetric('keyway_audit_alert_detections_suppressed_total')?.get())
        ?.values ?? []
    )
      .filter((value) => value.labels['kind'] === kind)
      .reduce((sum, value) => sum + value.value, 0);

  /** Runs the timer every `stepMs` from `from` to `to`, as the scheduler would. */
  async function evaluateBetween(from: Date, to: Date, stepMs = 30_000) {
    for (let t = from.getTime(); t <= to.getTime(); t += stepMs) {
      clock.time = new Date(t);
      await evaluator.evaluate(clock.time);
    }
  }

  describe('normal traffic', () => {
    it('raises nothing: steady valid use, occasional denials, known networks, a new key', async () => {
      await keySeen('key_steady', 'ws_alpha', at(-72 * HOUR), ['198.51.100.7', '2001:db8:1::5']);
      for (let m = -120; m < 0; m++) {
        const occasional = m % 10 === 0 ? { rate_limited: 3, forbidden_address: 1 } : {};
        await minuteRow('key_steady', at(m * MINUTE), { valid: 300, ...occasional });
      }
      // A key denied a lot from its first minute: its usual level, not a burst.
      await keySeen('key_throttled', 'ws_alpha', at(-120 * MINUTE), []);
      for (let m = -120; m < 0; m++) {
        await minuteRow('key_throttled', at(m * MINUTE), {
          valid: 100,
          rate_limited: 150 + (m % 7),
        });
      }
      const outcomes = await observe([
        window('key_steady', at(-10 * MINUTE), { VALID: 40, RATE_LIMITED: 1 }, ['198.51.100.7']),
        // New addresses, but in networks the key was seen from (/24 and /48).
        window('key_steady', at(-9 * MINUTE), { VALID: 5 }, ['198.51.100.99'], ['198.51.100.99']),
        window(
          'key_steady',
          at(-8 * MINUTE),
          { VALID: 5 },
          ['2001:db8:1:ff::1'],
          ['2001:db8:1:ff::1'],
        ),
      ]);
      expect(outcomes).toEqual([]);
      // A key first seen an hour ago, used from wherever its owner deploys it.
      await keySeen('key_young', 'ws_alpha', at(-HOUR), ['203.0.113.10']);
      expect(
        await observe([
          window('key_young', at(-MINUTE), { VALID: 9 }, ['192.0.2.44'], ['192.0.2.44']),
        ]),
      ).toEqual([]);
      await evaluateBetween(at(-120 * MINUTE), at(0), 10 * MINUTE);
      expect(await alertRows()).toEqual([]);
      expect(await outboxRows()).toEqual([]);
    });
  });

  describe('revoked and expired keys still tried', () => {
    it('keeps one open alert per key and kind, updated, then resolved after the quiet period', async () => {
      expect(
        await observe([
          window('key_gone', at(0), { REVOKED: 3 }, ['198.51.100.7']),
          window('key_gone', at(5_000), { REVOKED: 2, EXPIRED: 1 }, ['203.0.113.4']),
        ]),
      ).toEqual(['raised', 'updated', 'raised']);
      const [revoked] = await dataSource.query(
        `SELECT id, counts, client_addresses, first_seen_at, last_seen_at FROM alerts
          WHERE kind = 'revoked-key-used'`,
      );
      expect(revoked).toMatchObject({
        counts: { REVOKED: 5 },
        client_addresses: ['198.51.100.7', '203.0.113.4'],
        first_seen_at: at(0),
        last_seen_at: at(5_900),
      });
      expect((await alertRows()).map((a) => [a.kind, a.status])).toEqual([
        ['expired-key-used', 'open'],
        ['revoked-key-used', 'open'],
      ]);

      // Still tried 30 minutes later: the same alert.
      clock.time = at(30 * MINUTE);
      await evaluator.evaluate(clock.time);
      expect(await observe([window('key_gone', at(30 * MINUTE), { REVOKED: 1 }, [])])).toEqual([
        'updated',
      ]);
      // An hour of quiet after the last attempt ends each.
      await evaluateBetween(at(31 * MINUTE), at(91 * MINUTE), 10 * MINUTE);
      expect((await alertRows()).map((a) => [a.kind, a.status])).toEqual([
        ['expired-key-used', 'resolved'],
        ['revoked-key-used', 'resolved'],
      ]);
      // Tried again later: a new alert.
      clock.time = at(3 * HOUR);
      expect(await observe([window('key_gone', at(3 * HOUR), { REVOKED: 1 }, [])])).toEqual([
        'raised',
      ]);
      expect((await outboxRows()).map((row) => row.sequence)).toEqual([1, 1, 2, 2, 1]);
    });
  });

  describe('new networks', () => {
    it('alerts on a key with history used from a network it was never seen from', async () => {
      await keySeen('key_old', 'ws_alpha', at(-30 * 24 * HOUR), ['198.51.100.7', '2001:db8:1::5']);
      expect(
        await observe([
          window(
            'key_old',
            at(0),
            { VALID: 4 },
            ['198.51.100.7', '203.0.113.50', '203.0.113.51', '2001:db8:2::9'],
            ['203.0.113.50', '203.0.113.51', '2001:db8:2::9'],
          ),
        ]),
      ).toEqual(['raised']);
      const [alert] = await dataSource.query(
        `SELECT client_addresses, details, counts FROM alerts WHERE key_id = 'key_old'`,
      );
      expect(alert).toEqual({
        client_addresses: ['203.0.113.50', '203.0.113.51', '2001:db8:2::9'],
        details: { networks: ['203.0.113.0/24', '2001:db8:2::/48'] },
        counts: { VALID: 4 },
      });
    });
  });

  describe('denial bursts', () => {
    it('raises a burst against the usual level and resolves it: a start/end pair on the topic', async () => {
      // A usual hour: ~2 denials a minute.
      await keySeen('key_storm', 'ws_alpha', at(-3 * HOUR), ['198.51.100.66']);
      for (let m = -60; m < 0; m++) {
        await minuteRow('key_storm', at(m * MINUTE), { valid: 50, rate_limited: 2 });
      }
      await minuteRow('key_storm', at(0), { valid: 50, rate_limited: 400, forbidden_address: 20 });
      await minuteRow('key_storm', at(MINUTE), { valid: 50, rate_limited: 250 });
      await minuteRow('key_storm', at(2 * MINUTE), { valid: 50, rate_limited: 3 });
      await dataSource.query(
        `INSERT INTO usage_windows (stream, sequence, workspace_id, key_id, window_start, window_end,
                                    first_seen_at, last_seen_at, counts, client_addresses)
         VALUES ('gw/1', 1, 'ws_alpha', 'key_storm', $1, $1, $1, $1, '{1}', '{198.51.100.66}')`,
        [at(10_000)],
      );
      await evaluateBetween(at(-2 * MINUTE), at(4 * MINUTE));
      const [open] = await dataSource.query(
        `SELECT id, status, counts, details, client_addresses, first_seen_at, last_seen_at
           FROM alerts WHERE key_id = 'key_storm'`,
      );
      expect(open).toMatchObject({
        status: 'open',
        counts: { RATE_LIMITED: 650, FORBIDDEN_ADDRESS: 20 },
        details: { baselinePerMinute: 2, thresholdPerMinute: 100, peakPerMinute: 420 },
        client_addresses: ['198.51.100.66'],
        first_seen_at: at(0),
        last_seen_at: at(2 * MINUTE),
      });
      // Five quiet minutes after the last one over the threshold (which ended at +2 min).
      await evaluateBetween(at(4 * MINUTE), at(6 * MINUTE + 59_000));
      expect((await alertRows())[0]?.status).toBe('open');
      await evaluateBetween(at(7 * MINUTE), at(7 * MINUTE));
      expect((await alertRows())[0]?.status).toBe('resolved');
      expect(await alertRows()).toHaveLength(1);

      const relay = new AlertPublisher(dataSource, outbox, publisher, config);
      expect(await relay.publishOnce()).toBe(2);
      const id = open.id as string;
      const raised = await reader.waitFor(
        (m) => m.key === id && (m.json as { sequence?: number }).sequence === 1,
      );
      const resolved = await reader.waitFor(
        (m) => m.key === id && (m.json as { sequence?: number }).sequence === 2,
      );
      expect(parseAlertEvent(raised.value)).toMatchObject({
        type: ALERT_EVENT_TYPES.raised,
        subject: id,
        workspaceid: 'ws_alpha',
        data: { kind: 'denial-burst', status: 'open', keyId: 'key_storm' },
      });
      expect(parseAlertEvent(resolved.value)).toMatchObject({
        type: ALERT_EVENT_TYPES.resolved,
        subject: id,
        data: { status: 'resolved', resolvedAt: at(7 * MINUTE).toISOString() },
      });
    });

    it('runs on one replica at a time', async () => {
      await dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [0x616c65727476]);
        expect((await evaluator.evaluate(clock.time)).ran).toBe(false);
      });
      expect((await evaluator.evaluate(clock.time)).ran).toBe(true);
    });
  });

  describe('publishing', () => {
    it('keeps events while Kafka is down and publishes them once it is back', async () => {
      await observe([window('key_wait', at(0), { EXPIRED: 1 }, [])]);
      const down = new EventPublisher(
        new Kafka({
          clientId: 'alerts-int-down',
          brokers: ['127.0.0.1:1'],
          connectionTimeout: 300,
          retry: { retries: 0 },
          logLevel: logLevel.NOTHING,
        }),
      );
      await expect(
        new AlertPublisher(dataSource, outbox, down, config).publishOnce(),
      ).rejects.toThrow();
      const [pending] = await dataSource.query(
        `SELECT alert_id FROM alert_outbox WHERE published_at IS NULL`,
      );
      expect(pending).toBeDefined();
      expect(await new AlertPublisher(dataSource, outbox, publisher, config).publishOnce()).toBe(1);
      await reader.waitFor((m) => m.key === pending.alert_id);
    });
  });

  describe('suppressions', () => {
    const context = (workspaceId = 'ws_alpha'): RequestContext => ({
      workspaceId,
      actor: 'key:key_secteam',
      clientAddress: '192.0.2.10',
      userAgent: 'int-test',
      correlationId: 'req-1',
    });

    it('silences a key (counted), is on the trail, and alerts again once deleted', async () => {
      const before = await suppressedCount('revoked-key-used');
      const suppression = await createSuppression.execute(context(), {
        keyId: 'key_known',
        kind: 'revoked-key-used',
        reason: 'decommissioned batch job still retries',
      });
      expect(await observe([window('key_known', at(0), { REVOKED: 2 }, ['198.51.100.1'])])).toEqual(
        ['suppressed'],
      );
      expect(await suppressedCount('revoked-key-used')).toBe(before + 1);
      expect(await alertRows()).toEqual([]);
      // Another kind of the same key is not silenced.
      expect(await observe([window('key_known', at(0), { EXPIRED: 1 }, [])])).toEqual(['raised']);

      // Another workspace cannot see or delete it.
      await expect(deleteSuppression.execute(context('ws_beta'), suppression.id)).rejects.toThrow(
        AlertError,
      );
      expect((await queries.suppressionsOf('ws_beta', { limit: 20 })).data).toEqual([]);

      await deleteSuppression.execute(context(), suppression.id);
      await expect(deleteSuppression.execute(context(), suppression.id)).rejects.toThrow(
        AlertError,
      );
      expect(await observe([window('key_known', at(MINUTE), { REVOKED: 1 }, [])])).toEqual([
        'raised',
      ]);

      const trail: Array<{ type: string; sequence: number; actor: string; record: string }> =
        await dataSource.query(
          `SELECT type, sequence, actor, record FROM audit_events WHERE subject = $1 ORDER BY position`,
          [suppression.id],
        );
      expect(trail.map((r) => [r.type, r.sequence, r.actor])).toEqual([
        [SUPPRESSION_CREATED, 1, 'key:key_secteam'],
        [SUPPRESSION_DELETED, 2, 'key:key_secteam'],
      ]);
      expect(JSON.parse(trail[0]?.record ?? '{}')).toMatchObject({
        workspaceId: 'ws_alpha',
        keyId: 'key_known',
        clientAddress: '192.0.2.10',
        userAgent: 'int-test',
        after: { kind: 'revoked-key-used', reason: 'decommissioned batch job still retries' },
      });
    });

    it('silences detections whose addresses all lie in a range, until it ends', async () => {
      await keySeen('key_vpn', 'ws_alpha', at(-30 * 24 * HOUR), ['198.51.100.7']);
      await createSuppression.execute(context(), {
        cidr: '203.0.113.0/24',
        endsAt: at(HOUR).toISOString(),
        reason: 'office VPN egress',
      });
      expect(
        await observe([window('key_vpn', at(0), { VALID: 1 }, ['203.0.113.8'], ['203.0.113.8'])]),
      ).toEqual(['suppressed']);
      // A suppression of another workspace changes nothing here.
      await createSuppression.execute(context('ws_beta'), {
        cidr: '192.0.2.0/24',
        reason: 'theirs',
      });
      expect(
        await observe([window('key_vpn', at(MINUTE), { VALID: 1 }, ['192.0.2.8'], ['192.0.2.8'])]),
      ).toEqual(['raised']);
      // After it ends, the range alerts again.
      clock.time = at(2 * HOUR);
      await dataSource.query(`DELETE FROM alerts`);
      expect(
        await observe([
          window('key_vpn', at(2 * HOUR), { VALID: 1 }, ['203.0.113.9'], ['203.0.113.9']),
        ]),
      ).toEqual(['raised']);
    });

    it('refuses an end in the past', async () => {
      await expect(
        createSuppression.execute(context(), {
          keyId: 'key_x',
          endsAt: at(-MINUTE).toISOString(),
          reason: 'too late',
        }),
      ).rejects.toMatchObject({ code: 'SUPPRESSION_ENDS_IN_PAST' });
      expect(await dataSource.query(`SELECT id FROM alert_suppressions`)).toEqual([]);
    });
  });

  describe('queries', () => {
    it('pages and filters within the workspace; another workspace gets 404', async () => {
      await observe([
        window('key_q1', at(0), { REVOKED: 1 }, []),
        window('key_q2', at(1_000), { REVOKED: 1 }, []),
        window('key_q3', at(2_000), { EXPIRED: 1 }, []),
        window('key_q4', at(3_000), { REVOKED: 1 }, [], [], 'ws_beta'),
      ]);
      const first = await queries.list('ws_alpha', { limit: 2 });
      expect(first.data).toHaveLength(2);
      expect(first.nextCursor).not.toBeNull();
      const second = await queries.list('ws_alpha', {
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      });
      expect(second.nextCursor).toBeNull();
      expect([...first.data, ...second.data].map((a) => a.keyId).sort()).toEqual([
        'key_q1',
        'key_q2',
        'key_q3',
      ]);
      expect(
        (await queries.list('ws_alpha', { limit: 20, kind: 'expired-key-used' })).data.map(
          (a) => a.keyId,
        ),
      ).toEqual(['key_q3']);
      expect(
        (await queries.list('ws_alpha', { limit: 20, keyId: 'key_q2', status: 'open' })).data,
      ).toHaveLength(1);
      expect((await queries.list('ws_alpha', { limit: 20, status: 'resolved' })).data).toEqual([]);
      expect(
        (await queries.list('ws_alpha', { limit: 20, from: at(MINUTE).toISOString() })).data,
      ).toEqual([]);
      const theirs = (await queries.list('ws_beta', { limit: 20 })).data[0];
      expect(theirs?.keyId).toBe('key_q4');
      await expect(queries.get('ws_alpha', theirs?.id ?? '')).rejects.toMatchObject({
        code: 'ALERT_NOT_FOUND',
      });
      await expect(queries.list('ws_alpha', { limit: 2, cursor: 'nope' })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
    });
  });
});
