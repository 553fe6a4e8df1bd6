import { WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { deciderHarness } from '../event-store/decider-harness';
import { type WorkspaceCommand, workspaceDecider } from './workspace.decide';
import { WorkspaceError } from './workspace.errors';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const data = {
  workspaceId: 'ws_a',
  name: 'acme',
  prefix: 'kw',
  defaultRateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
};
const harness = deciderHarness(workspaceDecider, {
  aggregateId: 'ws_a',
  workspaceId: 'ws_a',
  now: t0,
});
const create: WorkspaceCommand = { kind: 'create', data };

describe('workspace decisions (given / when / then)', () => {
  it('given nothing, when created, then a workspace at version 1, created now', () => {
    expect(harness.given().when(create)).toEqual([
      { type: WORKSPACE_EVENT_TYPES.workspaceCreated, data },
    ]);
    expect(harness.given().then(create)).toEqual({
      ...data,
      memberKeys: 'none',
      createdAt: t0.toISOString(),
      version: 1,
    });
  });

  it('given a workspace, when created again, then refused', () => {
    expect(() => harness.given([[create]]).when(create)).toThrow(WorkspaceError);
  });

  it('given a workspace, when updated, then only what differs is recorded', () => {
    const workspace = harness.given([[create]]);
    const update: WorkspaceCommand = {
      kind: 'update',
      changes: { name: 'acme', prefix: 'acme' },
    };
    expect(workspace.when(update)).toEqual([
      { type: WORKSPACE_EVENT_TYPES.workspaceUpdatedV2, data: { prefix: 'acme' } },
    ]);
    expect(workspace.then(update)).toMatchObject({ name: 'acme', prefix: 'acme', version: 2 });
    expect(workspace.when({ kind: 'update', changes: { name: 'acme' } })).toEqual([]);
  });

  it('given a workspace, when its key policy changes, then a v2 update records it', () => {
    const workspace = harness.given([[create]]);
    const open: WorkspaceCommand = { kind: 'update', changes: { memberKeys: 'own' } };
    expect(workspace.when(open)).toEqual([
      { type: WORKSPACE_EVENT_TYPES.workspaceUpdatedV2, data: { memberKeys: 'own' } },
    ]);
    expect(workspace.then(open)).toMatchObject({ memberKeys: 'own', version: 2 });
    expect(workspace.when({ kind: 'update', changes: { memberKeys: 'none' } })).toEqual([]);
  });

  it('given a v1 update in the history, then the policy is still none', () => {
    const [created] = harness.given([[create]]).events;
    if (created === undefined) throw new Error('no created event');
    const evolved = workspaceDecider.evolve(workspaceDecider.evolve(null, created), {
      ...created,
      sequence: 2,
      type: WORKSPACE_EVENT_TYPES.workspaceUpdated,
      data: { name: 'renamed' },
    });
    expect(evolved).toMatchObject({ name: 'renamed', memberKeys: 'none', version: 2 });
  });

  it('given nothing, when updated, then not found', () => {
    expect(() => harness.given().when({ kind: 'update', changes: { name: 'x' } })).toThrow(
      /not found/,
    );
  });
});
