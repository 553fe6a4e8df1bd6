import { WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import {
  decideWorkspace,
  evolveWorkspace,
  WorkspaceRejected,
  type WorkspaceState,
} from './workspace.decide';

const data = {
  workspaceId: 'ws_a',
  name: 'acme',
  prefix: 'kw',
  defaultRateLimits: [{ name: 'default', limit: 100, window: '60s', windowMs: 60_000 }],
};
const fold = (events: { type: string; data: unknown }[]) =>
  events.reduce<WorkspaceState | null>(
    (s, e) => evolveWorkspace(s, { ...e, time: '2026-01-01T00:00:00.000Z' }),
    null,
  );

describe('workspace decisions (given / when / then)', () => {
  const created = decideWorkspace({ kind: 'create', data }, null);

  it('given nothing, when created, then a workspace at version 1', () => {
    expect(created).toEqual([{ type: WORKSPACE_EVENT_TYPES.workspaceCreated, data }]);
    expect(fold(created)).toMatchObject({ ...data, version: 1 });
  });

  it('given a workspace, when created again, then refused', () => {
    expect(() => decideWorkspace({ kind: 'create', data }, fold(created))).toThrow(
      WorkspaceRejected,
    );
  });

  it('given a workspace, when updated, then only what differs is recorded', () => {
    const updated = decideWorkspace(
      { kind: 'update', changes: { name: 'acme', prefix: 'acme' } },
      fold(created),
    );
    expect(updated).toEqual([
      { type: WORKSPACE_EVENT_TYPES.workspaceUpdated, data: { prefix: 'acme' } },
    ]);
    expect(fold([...created, ...updated])).toMatchObject({ prefix: 'acme', version: 2 });
    expect(decideWorkspace({ kind: 'update', changes: { name: 'acme' } }, fold(created))).toEqual(
      [],
    );
  });

  it('given nothing, when updated, then not found', () => {
    expect(() => decideWorkspace({ kind: 'update', changes: { name: 'x' } }, null)).toThrow(
      /not found/,
    );
  });
});
