import { WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { decideMember, evolveMember, MemberRejected, type MemberState } from './member.decide';

const envelope = { time: '2026-01-01T00:00:00.000Z', workspaceid: 'ws_a' };
const fold = (events: { type: string; data: unknown }[]) =>
  events.reduce<MemberState | null>(
    (state, event) => evolveMember(state, { ...event, ...envelope }),
    null,
  );

describe('member decisions (given / when / then)', () => {
  const added = decideMember(
    { kind: 'add', memberId: 'mem_a', email: 'a@x.io', role: 'member' },
    null,
  );

  it('given nothing, when added, then an active member with its role', () => {
    expect(added).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.memberAdded,
        data: { memberId: 'mem_a', email: 'a@x.io', role: 'member' },
      },
    ]);
    expect(fold(added)).toMatchObject({
      status: 'active',
      role: 'member',
      workspaceId: 'ws_a',
      version: 1,
    });
  });

  it('given a member, when added again, then refused', () => {
    expect(() =>
      decideMember(
        { kind: 'add', memberId: 'mem_a', email: 'a@x.io', role: 'member' },
        fold(added),
      ),
    ).toThrow(MemberRejected);
  });

  it('given a member, when its role changes, then the event names the previous role', () => {
    const changed = decideMember({ kind: 'change-role', role: 'admin' }, fold(added));
    expect(changed).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.memberRoleChanged,
        data: { memberId: 'mem_a', role: 'admin', previousRole: 'member' },
      },
    ]);
    expect(fold([...added, ...changed])).toMatchObject({ role: 'admin', version: 2 });
  });

  it('given a member, when given the role it has, then nothing', () => {
    expect(decideMember({ kind: 'change-role', role: 'member' }, fold(added))).toEqual([]);
  });

  it('given a removed member, when re-roled or removed, then not found', () => {
    const removed = [...added, ...decideMember({ kind: 'remove' }, fold(added))];
    expect(fold(removed)?.status).toBe('removed');
    expect(() => decideMember({ kind: 'change-role', role: 'admin' }, fold(removed))).toThrow(
      /not found/,
    );
    expect(() => decideMember({ kind: 'remove' }, fold(removed))).toThrow(/not found/);
  });

  it('given nothing, when removed, then not found', () => {
    expect(() => decideMember({ kind: 'remove' }, null)).toThrow(MemberRejected);
  });
});
