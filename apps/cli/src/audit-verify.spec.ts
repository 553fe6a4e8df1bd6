import { generateKeyPairSync } from 'node:crypto';
import { noteSigner, signCheckpoint } from '@keyway/audit-chain';
import { GENESIS_HASH } from '@keyway/contracts';
import { checkpointNotes, exportVerifier } from './audit-verify';

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

describe('exportVerifier', () => {
  const signer = noteSigner('test.key', generateKeyPairSync('ed25519').privateKey);
  const workspaceId = 'ws_a';
  const genesisNote = (ws: string) =>
    signCheckpoint(
      {
        originPrefix: 'audit.test',
        workspaceId: ws,
        size: 0,
        headHash: GENESIS_HASH,
        startPosition: 1,
        startPrevHash: GENESIS_HASH,
        time: '2026-01-01T00:00:00.000Z',
      },
      signer,
    );

  it('refuses to verify an export against no checkpoint of its workspace (a forged chain would pass)', () => {
    expect(() => exportVerifier([], [signer.verifier], workspaceId)).toThrow(
      /no checkpoint of ws_a/,
    );
    expect(() => exportVerifier([genesisNote('ws_b')], [signer.verifier], workspaceId)).toThrow(
      /no checkpoint/,
    );
  });

  it('verifies against the checkpoints of the workspace', () => {
    const verifier = exportVerifier([genesisNote(workspaceId)], [signer.verifier], workspaceId);
    expect(verifier.finish()).toMatchObject({ valid: true, expectedSize: 0 });
  });
});
