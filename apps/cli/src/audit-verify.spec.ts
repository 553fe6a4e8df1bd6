import { checkpointNotes } from './audit-verify';

const note = (n: number) => `origin/ws_a\n${n}\nhash\n\n\u2014 name sig${n}\n`;

describe('checkpointNotes', () => {
  it('reads signed notes one after the other, blank lines between them or not', () => {
    expect(checkpointNotes(`${note(1)}${note(2)}`)).toEqual([note(1), note(2)]);
    expect(checkpointNotes(`${note(1)}\n${note(2)}\n`)).toEqual([note(1), note(2)]);
    expect(() => checkpointNotes(`${note(1)}origin/ws_a\n3\n`)).toThrow(/no signature/);
  });

  it('reads NDJSON of checkpoint events (data.note) and of checkpoint resources (note)', () => {
    const lines = [
      JSON.stringify({ type: 'keyway.checkpoint.signed.v1', data: { note: note(1) } }),
      JSON.stringify({ sequence: 2, note: note(2) }),
      '',
    ].join('\n');
    expect(checkpointNotes(lines)).toEqual([note(1), note(2)]);
    expect(() => checkpointNotes('{"data":{}}\n')).toThrow(/no note/);
  });
});
