import { type Cluster, type Redis } from 'ioredis';
import { TOPICS, type KeyEvent, type KeyIssuedV1, type WorkspaceEvent } from '@keyway/contracts';
import { generateKey, hashKey } from '@keyway/key-material';
import { gatewayConfig, gatewayEnvSchema } from '../config';
import { keyEvents } from '../projection/key-events.fixture';
import { keyRecordChange } from '../projection/key-record-change';
import { ProjectionApplier } from '../projection/projection-applier';
import { ProjectionStatus } from '../projection/projection-status';
import { ProjectionStore } from '../projection/projection.store';
import { SessionTokens } from '../sessions/session-tokens';
import { KeyIdCache } from './key-id-cache';
import { type VerificationRequest, VerificationService } from './verification.service';

export const TEST_PEPPER = 'integration-test-pepper-0123456789abcdef';

/** A VerificationService and projection store on a real Redis (or Cluster), as the app wires them. */
export function verificationOn(redis: Redis | Cluster, env: Record<string, string> = {}) {
  const config = gatewayConfig(gatewayEnvSchema.parse({ KEYWAY_PEPPER: TEST_PEPPER, ...env }));
  const status = new ProjectionStatus();
  status.caughtUp = true;
  const asRedis = redis as Redis;
  const sessions = new SessionTokens(config);
  const service = new VerificationService(
    asRedis,
    new KeyIdCache(asRedis, config),
    sessions,
    status,
    config,
  );
  const store = ProjectionStore.on(redis);
  const apply = async (...events: KeyEvent[]) =>
    store.applyKeyChanges(events.map((event) => keyRecordChange(event)));
  const applier = new ProjectionApplier(store);
  let offset = 0;
  /** Workspace events as the consumer applies them: serialized, decoded, applied in one batch. */
  const applyWorkspace = async (...events: WorkspaceEvent[]) =>
    applier.apply(
      TOPICS.workspaces,
      events.map((event) => ({ offset: String(offset++), value: JSON.stringify(event) })),
    );
  /** Issues a real key (only its hash reaches Redis) and returns its secret and events. */
  const issue = async (data: Partial<KeyIssuedV1['data']> = {}) => {
    const environment = data.environment ?? 'live';
    const secret = generateKey('kw', environment);
    const events = keyEvents();
    const keyHash = hashKey(TEST_PEPPER, secret);
    await apply(events.issued({ keyHash, environment, start: `kw_${environment}_abcd`, ...data }));
    return { secret, keyHash, events, keyId: events.keyId };
  };
  const verify = (credential: string, request: Partial<VerificationRequest> = {}) =>
    service.verify({ credential, clientAddress: null, ...request }).then((v) => v.response);
  return { config, status, service, store, sessions, apply, applyWorkspace, issue, verify };
}
