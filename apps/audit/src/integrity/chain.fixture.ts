import { type DataSource } from 'typeorm';
import { AuditRecord } from '@keyway/contracts';
import { type ChainEntry } from '../chain/chain-appender';

/** The `index`-th entry of a test chain: a key update of its own key. */
export const testEntry = (workspaceId: string, index: number): ChainEntry => ({
  workspaceId,
  id: `evt-${workspaceId}-${index}`,
  type: 'keyway.key.updated.v1',
  subject: `key_${workspaceId.slice(3)}x${index}`,
  sequence: 2,
  time: '2026-01-01T00:00:00.000Z',
  actor: 'system',
  clientAddress: '198.51.100.7',
  userAgent: 'int-test',
  correlationId: null,
  keyId: `key_${workspaceId.slice(3)}x${index}`,
  before: { name: 'old' },
  after: { name: `n${index}` },
});

/** The record stored at a position of a workspace's chain. */
export async function recordAt(
  dataSource: DataSource,
  workspaceId: string,
  position: number,
): Promise<AuditRecord> {
  const [row]: Array<{ record: string }> = await dataSource.query(
    `SELECT record FROM audit_events WHERE workspace_id = $1 AND position = $2`,
    [workspaceId, position],
  );
  return AuditRecord.parse(JSON.parse(row?.record ?? 'null'));
}
