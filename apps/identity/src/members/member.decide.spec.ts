import { WORKSPACE_EVENT_TYPES } from '@keyway/contracts';
import { deciderHarness } from '../event-store/decider-harness';
import { type MemberCommand, memberDecider } from './member.decide';
import { MemberError } from './member.errors';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const harness = deciderHarness(memberDecider, {
  aggregateId: 'mem_a',
  workspaceId: 'ws_a',
  now: t0,
});
const add: MemberCommand = { kind: 'add', memberId: 'mem_a', email: 'a@x.io', role: 'member' };

describe('member decisions (given / when / then)', () => {
  it("given nothing, when added, then an active member with its role, of the event's workspace", () => {
    expect(harness.given().when(add)).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.memberAdded,
        data: { memberId: 'mem_a', email: 'a@x.io', role: 'member' },
      },
    ]);
    expect(harness.given().then(add)).toEqual({
      memberId: 'mem_a',
      workspaceId: 'ws_a',
      email: 'a@x.io',
      role: 'member',
      status: 'active',
      createdAt: t0.toISOString(),
      version: 1,
    });
  });

  it('given a member, when added again, then refused', () => {
    expect(() => harness.given([[add]]).when(add)).toThrow(MemberError);
  });

  it('given a member, when its role changes, then the event names the previous role', () => {
    const member = harness.given([[add]]);
    expect(member.when({ kind: 'change-role', role: 'admin' })).toEqual([
      {
        type: WORKSPACE_EVENT_TYPES.memberRoleChanged,
        data: { memberId: 'mem_a', role: 'admin', previousRole: 'member' },
      },
    ]);
    expect(member.then({ kind: 'change-role', role: 'admin' })).toMatchObject({
      role: 'admin',
      version: 2,
    });
  });

  it('given a member, when given the role it has, then nothing', () => {
    expect(harness.given([[add]]).when({ kind: 'change-role', role: 'member' })).toEqual([]);
  });

  it('given a removed member, when re-roled or removed, then not found', () => {
    const removed = harness.given([[add], [{ kind: 'remove' }]]);
    expect(removed.state?.status).toBe('removed');
    expect(removed.state?.version).toBe(2);
    expect(() => removed.when({ kind: 'change-role', role: 'admin' })).toThrow(/not found/);
    expect(() => removed.when({ kind: 'remove' })).toThrow(/not found/);
  });

  it('given nothing, when removed, then not found', () => {
    expect(() => harness.given().when({ kind: 'remove' })).toThrow(MemberError);
  });
});
