import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  TOPICS,
  USAGE_EVENT_TYPES,
  VERIFICATION_CODES,
  type UsageAggregatedV1,
  type VerificationCode,
} from '@keyway/contracts';
import { EventPublisher } from '@keyway/platform-kafka';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { counter, gauge } from '../metrics';

const verifications = counter(
  'keyway_gateway_verifications_total',
  'Verifications by outcome code',
  ['code'],
);
const dropped = counter(
  'keyway_gateway_usage_events_dropped_total',
  'Usage events dropped because Kafka stayed away longer than the buffer lasts',
);
const pending = gauge('keyway_gateway_usage_events_pending', 'Usage events awaiting Kafka');

const MAX_ADDRESSES = 32;

interface Aggregate {
  keyId: string | null;
  workspaceId: string | null;
  counts: Record<VerificationCode, number>;
  firstSeenAt: number;
  lastSeenAt: number;
  addresses: Set<string>;
}

/**
 * Usage events (`keyway.usage.aggregated.v1`): verifications counted per key in memory and
 * published once per interval (≤ 1 s), never on a request's path. While Kafka is away the events
 * wait in a bounded buffer (oldest dropped, and counted, beyond it) and go out when it returns;
 * shutdown flushes what is left. Each replica's events form one stream (`subject`), numbered by
 * `sequence`, so a retried send is recognised by consumers.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private readonly subject = `gateway/${hostname().replace(/[^A-Za-z0-9._:-]/g, '-')}/${randomUUID()}`;
  private sequence = 0;
  private windowStart = Date.now();
  private current = new Map<string, Aggregate>();
  private readonly buffer: UsageAggregatedV1[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Counts one verification. Synchronous and allocation-light: it runs on the hot path. */
  record(
    keyId: string | null,
    workspaceId: string | null,
    code: VerificationCode,
    address: string | null,
    now = Date.now(),
  ): void {
    verifications.inc({ code });
    const id = keyId ?? '';
    let aggregate = this.current.get(id);
    if (!aggregate) {
      aggregate = {
        keyId,
        workspaceId: keyId === null ? null : workspaceId,
        counts: Object.fromEntries(VERIFICATION_CODES.map((c) => [c, 0])) as Record<
          VerificationCode,
          number
        >,
        firstSeenAt: now,
        lastSeenAt: now,
        addresses: new Set(),
      };
      this.current.set(id, aggregate);
    }
    aggregate.counts[code]++;
    aggregate.lastSeenAt = now;
    if (address !== null && aggregate.addresses.size < MAX_ADDRESSES)
      aggregate.addresses.add(address);
  }

  /** Closes the current window into events and sends everything buffered. */
  async flush(): Promise<void> {
    this.closeWindow();
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private closeWindow(now = Date.now()): void {
    const windowStart = new Date(this.windowStart).toISOString();
    const windowEnd = new Date(Math.max(now, this.windowStart)).toISOString();
    for (const aggregate of this.current.values()) {
      this.buffer.push({
        specversion: '1.0',
        id: randomUUID(),
        source: '/keyway/gateway',
        type: USAGE_EVENT_TYPES.aggregated,
        subject: this.subject,
        time: windowEnd,
        datacontenttype: 'application/json',
        ...(aggregate.workspaceId === null ? {} : { workspaceid: aggregate.workspaceId }),
        sequence: ++this.sequence,
        actor: 'system',
        data: {
          keyId: aggregate.keyId,
          workspaceId: aggregate.workspaceId,
          windowStart,
          windowEnd,
          counts: aggregate.counts,
          firstSeenAt: new Date(aggregate.firstSeenAt).toISOString(),
          lastSeenAt: new Date(aggregate.lastSeenAt).toISOString(),
          clientAddresses: [...aggregate.addresses],
        },
      } as UsageAggregatedV1);
    }
    this.current = new Map();
    this.windowStart = now;
    const excess = this.buffer.length - this.config.usage.bufferMax;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      dropped.inc(excess);
      this.logger.warn(`Kafka away too long: dropped ${excess} usage event(s)`);
    }
    pending.set(this.buffer.length);
  }

  private async send(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, 500);
      try {
        await this.publisher.send(
          batch.map((event) => ({
            topic: TOPICS.usage,
            key: event.data.keyId ?? this.subject,
            value: JSON.stringify(event),
          })),
        );
      } catch (error) {
        this.logger.warn(`usage events wait for Kafka (${this.buffer.length}): ${String(error)}`);
        return;
      }
      this.buffer.splice(0, batch.length);
      pending.set(this.buffer.length);
    }
  }
}
