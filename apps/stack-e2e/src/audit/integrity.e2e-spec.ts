import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CheckpointList,
  type CheckpointResource,
  type IntegrityReport,
  type PublicKeyList,
  type PutRetentionRequest,
  type RetentionResource,
  TOPICS,
} from '@keyway/contracts';
import { noteSigner } from '@keyway/audit-chain';
import { expectEventually, repoRoot, TopicReader } from '@keyway/platform-testing';
import { Api } from '../support/api';
import { Stack } from '../support/stack';

// The vkey of this seed, as `GET /v1/audit/public-keys` must list it.
const SEED = Buffer.alloc(32, 0x5a).toString('base64');

/** Checkpoints, integrity, retention over HTTP, and the offline verifier of the CLI. */
describe('audit integrity', () => {
  const stack = new Stack(undefined, {
    AUDIT_SIGNING_KEY: SEED,
    AUDIT_CHECKPOINT_ORIGIN: 'audit.e2e.test',
    AUDIT_CHECKPOINT_INTERVAL_S: '1',
  });
  const dir = mkdtempSync(join(tmpdir(), 'keyway-audit-verify-'));
  let reader: TopicReader;
  let ownerKey: string;
  let workspaceId: string;

  beforeAll(async () => {
    reader = await TopicReader.start(TOPICS.auditCheckpoints);
    await stack.start('identity', 'gateway', 'audit');
    const boot = stack.bootstrap();
    ownerKey = boot.key;
    workspaceId = boot.workspaceId;
    for (const name of ['one', 'two', 'three']) {
      const created = await stack.identityApi(ownerKey).request('POST', '/v1/keys', {
        name,
        environment: 'live',
        scopes: [],
        expires: 'never',
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await reader.stop();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const audit = () => new Api(stack.service('audit').url, ownerKey);

  /** The trail holds `size` records and a checkpoint covers them all. */
  async function settled(): Promise<CheckpointResource> {
    const db = await stack.auditDatabase();
    let latest: CheckpointResource | undefined;
    await expectEventually(
      async () => {
        const { rows } = await db.query<{ size: string }>(
          `SELECT size FROM audit_chain_heads WHERE workspace_id = $1`,
          [workspaceId],
        );
        const size = Number(rows[0]?.size ?? 0);
        expect(size).toBeGreaterThanOrEqual(5);
        const response = await audit().request<CheckpointResource>(
          'GET',
          '/v1/audit/checkpoints/latest',
        );
        expect(response.status).toBe(200);
        expect(response.json.size).toBe(size);
        latest = response.json;
      },
      { timeoutMs: 60_000 },
    );
    return latest as CheckpointResource;
  }

  it('signs checkpoints, serves them with the public keys, and verifies the chain', async () => {
    const latest = await settled();
    expect(latest.note.startsWith(`audit.e2e.test/${workspaceId}\n${latest.size}\n`)).toBe(true);

    const keys = await audit().request<PublicKeyList>('GET', '/v1/audit/public-keys');
    expect(keys.status).toBe(200);
    expect(keys.json.current).toMatch(/^audit\.e2e\.test\+[0-9a-f]{8}\+/);
    expect(keys.json.data).toEqual([
      expect.objectContaining({ vkey: keys.json.current, current: true, keyId: latest.keyId }),
    ]);

    // A checkpoint every second, also when nothing changes.
    await expectEventually(
      async () => {
        const all = await audit().request<CheckpointList>('GET', '/v1/audit/checkpoints');
        expect(all.json.data.length).toBeGreaterThanOrEqual(3);
        expect(all.json.data[0]?.size).toBe(all.json.data[1]?.size);
      },
      { timeoutMs: 30_000 },
    );
    const page = await audit().request<CheckpointList>('GET', '/v1/audit/checkpoints?limit=2');
    expect(page.json.data).toHaveLength(2);
    expect(page.json.data[0]?.sequence).toBeGreaterThan(page.json.data[1]?.sequence ?? Infinity);
    const next = await audit().request<CheckpointList>(
      'GET',
      `/v1/audit/checkpoints?limit=2&cursor=${page.json.nextCursor}`,
    );
    expect(next.json.data[0]?.sequence).toBeLessThan(page.json.data[1]?.sequence ?? 0);
    expect((await audit().request('GET', '/v1/audit/checkpoints?limit=0')).status).toBe(400);

    const report = await audit().request<IntegrityReport>('GET', '/v1/audit/integrity');
    expect(report.status).toBe(200);
    expect(report.json).toMatchObject({ valid: true, workspaceId, breaks: [] });
    expect(report.json.records).toBeGreaterThanOrEqual(latest.size);

    // Without a key, or with another workspace's ids: nothing.
    const anonymous = new Api(stack.service('audit').url);
    expect((await anonymous.request('GET', '/v1/audit/integrity')).status).toBe(401);
  });

  it("sees only the caller's workspace", async () => {
    const db = await stack.auditDatabase();
    await db.query(
      `INSERT INTO audit_checkpoints (workspace_id, sequence, event_id, size, head_hash,
         start_position, start_prev_hash, key_name, key_id, note, signed_at)
       VALUES ('ws_someoneelse', 1, gen_random_uuid(), 0, $1, 1, $1, 'x', '00000000', 'x', now())`,
      ['0'.repeat(64)],
    );
    const page = await audit().request<CheckpointList>('GET', '/v1/audit/checkpoints?limit=1000');
    expect(page.json.data.every((c) => c.workspaceId === workspaceId)).toBe(true);
    const report = await audit().request<IntegrityReport>('GET', '/v1/audit/integrity');
    expect(report.json.workspaceId).toBe(workspaceId);
  });

  it('keeps a retention per workspace; its change is on the trail', async () => {
    const read = await audit().request<RetentionResource>('GET', '/v1/audit/retention');
    expect(read.json).toMatchObject({ workspaceId, days: 400, isDefault: true });
    const bad = await audit().request('PUT', '/v1/audit/retention', { days: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json['code']).toBe('VALIDATION_ERROR');
    const short = await audit().request('PUT', '/v1/audit/retention', { days: 7 });
    expect(short.status).toBe(400);
    expect(short.json).toMatchObject({ details: { reason: 'RETENTION_TOO_SHORT', minDays: 30 } });
    const put = await audit().request<RetentionResource>('PUT', '/v1/audit/retention', {
      days: 365,
    } satisfies PutRetentionRequest);
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ days: 365, isDefault: false });
    const db = await stack.auditDatabase();
    const { rows } = await db.query<{ record: string }>(
      `SELECT record FROM audit_events WHERE workspace_id = $1 AND type = $2`,
      [workspaceId, 'keyway.audit-retention.changed.v1'],
    );
    expect(rows.map((row) => JSON.parse(row.record) as unknown)).toEqual([
      expect.objectContaining({ before: { days: 400 }, after: { days: 365 } }),
    ]);
  });

  it('the CLI verifies an export offline against the published checkpoints, and rejects a one-byte change', async () => {
    const latest = await settled();
    const db = await stack.auditDatabase();
    const { rows } = await db.query<{ record: string }>(
      `SELECT record FROM audit_events WHERE workspace_id = $1 AND position <= $2 ORDER BY position`,
      [workspaceId, latest.size],
    );
    const exported = rows.map((row) => `${row.record}\n`).join('');
    await reader.waitFor(
      (m) =>
        m.key === workspaceId && (m.json as { sequence?: number }).sequence === latest.sequence,
      30_000,
    );
    const events = reader
      .messages()
      .filter((m) => m.key === workspaceId)
      .map((m) => `${m.value}\n`)
      .join('');
    const keys = await audit().request<PublicKeyList>('GET', '/v1/audit/public-keys');
    writeFileSync(join(dir, 'export.ndjson'), exported);
    writeFileSync(join(dir, 'checkpoints.ndjson'), events);
    writeFileSync(join(dir, 'audit.vkey'), `${keys.json.current}\n`);

    const verify = (file: string) =>
      spawnSync(
        process.execPath,
        [
          join(repoRoot(), 'dist/apps/cli/src/main.js'),
          'audit',
          'verify',
          join(dir, file),
          '--checkpoints',
          join(dir, 'checkpoints.ndjson'),
          '--key',
          join(dir, 'audit.vkey'),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
    const ok = verify('export.ndjson');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ records/);

    const at = exported.indexOf('"actor":"') + 12;
    const changed = `${exported.slice(0, at)}${exported[at] === 'x' ? 'y' : 'x'}${exported.slice(at + 1)}`;
    writeFileSync(join(dir, 'changed.ndjson'), changed);
    const broken = verify('changed.ndjson');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN[\s\S]*modified at position 1/);

    // A key that did not sign: every checkpoint is refused.
    const other = noteSigner('audit.e2e.test', generateKeyPairSync('ed25519').privateKey);
    writeFileSync(join(dir, 'audit.vkey'), `${other.verifier.vkey}\n`);
    const refused = verify('export.ndjson');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain('checkpoint_signature_invalid');
  });

  it('reports tampering through GET /v1/audit/integrity', async () => {
    const db = await stack.auditDatabase();
    await db.query(
      `UPDATE audit_events SET record = replace(record, '"actor":"', '"actor":" ')
        WHERE workspace_id = $1 AND position = 2`,
      [workspaceId],
    );
    const report = await audit().request<IntegrityReport>('GET', '/v1/audit/integrity');
    expect(report.status).toBe(200);
    expect(report.json.valid).toBe(false);
    expect(report.json.breaks).toEqual([
      expect.objectContaining({ reason: 'modified', position: 2 }),
    ]);
  });
});
