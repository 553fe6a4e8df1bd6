import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ContractViolation,
  WORKSPACE_EVENT_TYPES,
  type WorkspaceEventType,
  parseWorkspaceEvent,
} from '../index';

type Json = Record<string, unknown> & { data: Record<string, unknown> };
const fixture = (type: string): Json =>
  JSON.parse(readFileSync(join(__dirname, '../fixtures', `${type}.json`), 'utf8')) as Json;

function violationPaths(json: unknown): string[] {
  try {
    parseWorkspaceEvent(json);
  } catch (error) {
    if (error instanceof ContractViolation) return error.issues.map((i) => i.path.join('.'));
    throw error;
  }
  throw new Error('expected a ContractViolation');
}

describe('workspace events', () => {
  it('registers every type of the WorkspaceEvent union', () => {
    const complete: Record<WorkspaceEventType, true> = {
      'keyway.workspace.created.v1': true,
      'keyway.workspace.updated.v1': true,
      'keyway.member.added.v1': true,
      'keyway.member.role-changed.v1': true,
      'keyway.member.removed.v1': true,
      'keyway.workspace.updated.v2': true,
      'keyway.identity.created.v1': true,
      'keyway.identity.updated.v1': true,
      'keyway.identity.deleted.v1': true,
    };
    expect(Object.values(WORKSPACE_EVENT_TYPES).sort()).toEqual(Object.keys(complete).sort());
  });

  it.each(['k', 'KW', 'abcdefghijklm', 'k1'])('rejects prefix %p', (prefix) => {
    const event = fixture('keyway.workspace.created.v1');
    event.data.prefix = prefix;
    expect(violationPaths(event)).toEqual(['data.prefix']);
  });

  it('rejects a created event that is not sequence 1 or names another workspace', () => {
    expect(violationPaths({ ...fixture('keyway.workspace.created.v1'), sequence: 3 })).toEqual([
      'sequence',
    ]);
    expect(violationPaths({ ...fixture('keyway.workspace.created.v1'), subject: 'ws_b' })).toEqual([
      'subject',
    ]);
  });

  it('rejects an empty workspace update', () => {
    expect(violationPaths({ ...fixture('keyway.workspace.updated.v1'), data: {} })).toEqual([
      'data',
    ]);
  });

  it('rejects an unknown role and a role change to the same role', () => {
    const unknown = fixture('keyway.member.added.v1');
    unknown.data.role = 'superuser';
    expect(violationPaths(unknown)).toEqual(['data.role']);
    const same = fixture('keyway.member.role-changed.v1');
    same.data.previousRole = same.data.role;
    expect(violationPaths(same)).toEqual(['data.role']);
  });

  it('rejects a member event whose subject is not the member', () => {
    const event = { ...fixture('keyway.member.removed.v1'), subject: 'mem_someoneelse' };
    expect(violationPaths(event)).toEqual(['subject']);
  });

  it('rejects a key event on the workspace topic', () => {
    expect(violationPaths(fixture('keyway.key.issued.v1'))).toEqual(['type']);
  });
});
