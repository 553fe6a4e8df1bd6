import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH } from '@keyway/contracts';
import {
  type Checkpoint,
  checkpointText,
  ed25519PrivateKey,
  NoteError,
  noteKeyId,
  noteSigner,
  openCheckpoint,
  openNote,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
  signCheckpoint,
  signNote,
} from '../index';

const signerOf = (name: string) => noteSigner(name, generateKeyPairSync('ed25519').privateKey);

const checkpoint: Checkpoint = {
  originPrefix: 'audit.keyway.example',
  workspaceId: 'ws_01JDQ3W8C5V4N2K7M9P6R3T1WA',
  size: 42,
  headHash: 'ab'.repeat(32),
  startPosition: 1,
  startPrevHash: GENESIS_HASH,
  time: '2026-01-01T00:00:00.000Z',
};

const reasonOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof NoteError ? error.reason : `not a NoteError: ${String(error)}`;
  }
};

describe('signed notes (c2sp.org/signed-note, Ed25519)', () => {
  const signer = signerOf('audit.keyway.example');

  it('computes key ids as SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4] and vkeys that round-trip', () => {
    // The spec's worked example is Go's sumdb/note; this checks the construction itself.
    const publicKey = Buffer.alloc(32, 7);
    const id = noteKeyId('example.com/log', publicKey).toString('hex');
    const vkey = `example.com/log+${id}+${Buffer.concat([Buffer.of(1), publicKey]).toString('base64')}`;
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(parseVerifierKey(signer.verifier.vkey).keyId).toBe(signer.keyId);
    expect(signer.verifier.vkey).toMatch(
      /^audit\.keyway\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/,
    );
    // A wrong key id, algorithm byte, length or name is refused.
    expect(() => parseVerifierKey(vkey.replace(id, '00000000'))).toThrow(/key id/);
    const [name, hexId] = signer.verifier.vkey.split('+') as [string, string];
    const key = signer.verifier.vkey.slice(name.length + hexId.length + 2);
    const raw = Buffer.from(key, 'base64');
    expect(() =>
      parseVerifierKey(
        `${name}+${hexId}+${Buffer.concat([Buffer.of(2), raw.subarray(1)]).toString('base64')}`,
      ),
    ).toThrow();
    expect(() =>
      parseVerifierKey(`${name}+${hexId}+${raw.subarray(0, 32).toString('base64')}`),
    ).toThrow();
    expect(() => parseVerifierKey(`bad name+${hexId}+${key}`)).toThrow();
    // Upper-case hex is refused too. The fixed key's id has letters, so upper-casing changes it
    // (a random key's id is all digits one time in 43, and then there is nothing to refuse).
    expect(id).toBe('12d1ce8e');
    expect(parseVerifierKey(vkey).keyId).toBe(id);
    expect(() => parseVerifierKey(vkey.replace(id, id.toUpperCase()))).toThrow(/lowercase hex/);
  });

  it('matches the Go sumdb/note reference vector byte for byte (Ed25519 is deterministic)', () => {
    // golang.org/x/mod/sumdb/note's documented example: its signer key is 0x01 ‖ the seed.
    const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
    const peter = noteSigner('PeterNeumann', ed25519PrivateKey(seed.toString('base64')));
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const note =
      `${text}\n\u2014 PeterNeumann ` +
      'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    expect(peter.verifier.vkey).toBe(
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    );
    expect(signNote(text, peter)).toBe(note);
    const verifier = parseVerifierKey(peter.verifier.vkey);
    expect(openNote(note, [verifier]).text).toBe(text);
    expect(reasonOf(() => openNote(note.replace('cryptography', 'cryptographY'), [verifier]))).toBe(
      'signature_invalid',
    );
  });

  it('signs and opens a note; the signature line is "— <name> base64(key id ‖ sig)"', () => {
    const note = signNote('hello\nworld\n', signer);
    const [, signatureLine] = note.split('\n\n');
    expect(signatureLine).toMatch(/^\u2014 audit\.keyway\.example [A-Za-z0-9+/]{91}=\n$/);
    expect(
      Buffer.from(signatureLine?.split(' ')[2] ?? '', 'base64')
        .subarray(0, 4)
        .toString('hex'),
    ).toBe(signer.keyId);
    expect(openNote(note, [signer.verifier]).text).toBe('hello\nworld\n');
  });

  it('ignores signatures of unknown keys but refuses a note no known key signed', () => {
    const other = signerOf('audit.keyway.example');
    const note = signNote('text\n', other);
    expect(reasonOf(() => openNote(note, [signer.verifier]))).toBe('unknown_key');
    // Co-signed by a known key: the unknown signature is ignored.
    const both = `${note}${signNote('text\n', signer).split('\n\n')[1]}`;
    expect(openNote(both, [signer.verifier]).signedBy).toEqual([signer.verifier]);
  });

  it('refuses a note whose known-key signature does not verify, for any one-byte change', () => {
    const note = signNote('abc\n123\n', signer);
    expect(reasonOf(() => openNote(note.replace('123', '124'), [signer.verifier]))).toBe(
      'signature_invalid',
    );
    const signature = (note.split(' ').pop() ?? '').trim();
    const bytes = Buffer.from(signature, 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    const tampered = note.replace(signature, bytes.toString('base64'));
    expect(reasonOf(() => openNote(tampered, [signer.verifier]))).toBe('signature_invalid');
  });

  it.each([
    ['no blank line', 'text\n\u2014 a AAAA\n'],
    ['no final newline', 'text\n\n\u2014 a AAAAAAAA'],
    ['a hyphen instead of the em dash', 'text\n\n- a AAAAAAAA\n'],
    ['a control character', 'te\txt\n\n\u2014 a AAAAAAAA\n'],
    ['a carriage return', 'text\r\n\n\u2014 a AAAAAAAA\n'],
    ['non-canonical base64', 'text\n\n\u2014 a AAAAAAF=\n'],
    ['unpadded base64', 'text\n\n\u2014 a AAAAAAA\n'],
    ['a short signature', 'text\n\n\u2014 a AAAA\n'],
    ['three fields', 'text\n\n\u2014 a b AAAAAAAA\n'],
    ['a plus in the name', 'text\n\n\u2014 a+b AAAAAAAA\n'],
    ['an empty signature line', 'text\n\n\n'],
  ])('refuses a malformed note: %s', (_why, note) => {
    expect(reasonOf(() => parseNote(note))).toBe('malformed');
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint body)', () => {
  const signer = signerOf('audit.keyway.example');

  it('writes the origin, size, base64 head hash, start and time lines', () => {
    expect(checkpointText(checkpoint)).toBe(
      [
        'audit.keyway.example/ws_01JDQ3W8C5V4N2K7M9P6R3T1WA',
        '42',
        Buffer.from('ab'.repeat(32), 'hex').toString('base64'),
        `start 1 ${Buffer.alloc(32).toString('base64')}`,
        'time 2026-01-01T00:00:00.000Z',
        '',
      ].join('\n'),
    );
    expect(parseCheckpointText(checkpointText(checkpoint))).toEqual(checkpoint);
  });

  it('opens what it signed, with the key and with the old keys listed too', () => {
    const old = signerOf('audit.keyway.example');
    const note = signCheckpoint(checkpoint, signer);
    const opened = openCheckpoint(note, [old.verifier, signer.verifier]);
    expect(opened.checkpoint).toEqual(checkpoint);
    expect(opened.signedBy).toEqual([signer.verifier]);
  });

  it('refuses a checkpoint signed with another key, even under the same name', () => {
    const note = signCheckpoint(checkpoint, signerOf('audit.keyway.example'));
    expect(reasonOf(() => openCheckpoint(note, [signer.verifier]))).toBe('unknown_key');
  });

  it('refuses every one-byte change of the text', () => {
    const note = signCheckpoint(checkpoint, signer);
    const textLength = note.indexOf('\n\n') + 1;
    for (let index = 0; index < textLength; index += 1) {
      const changed = String.fromCharCode(note.charCodeAt(index) ^ 1);
      const tampered = note.slice(0, index) + changed + note.slice(index + 1);
      expect(reasonOf(() => openCheckpoint(tampered, [signer.verifier]))).toBeDefined();
    }
  });

  it.each([
    ['a leading zero in the size', (t: string) => t.replace('\n42\n', '\n042\n')],
    ['a negative size', (t: string) => t.replace('\n42\n', '\n-42\n')],
    ['a short hash', (t: string) => t.replace(/\n[^\n]{44}\nstart/, '\nAAAA\nstart')],
    ['no workspace in the origin', (t: string) => t.replace(/\/ws_\w+/, '')],
    ['a missing time line', (t: string) => t.replace(/time [^\n]*\n/, '')],
    ['an extra line', (t: string) => `${t}extra\n`],
    ['a start beyond size + 1', (t: string) => t.replace('start 1 ', 'start 44 ')],
    ['a time without milliseconds', (t: string) => t.replace('.000Z', 'Z')],
    ['lines out of order', (t: string) => t.replace(/(start[^\n]*)\n(time[^\n]*)/, '$2\n$1')],
  ])('refuses a malformed checkpoint: %s', (_why, change) => {
    const text = change(checkpointText(checkpoint));
    expect(reasonOf(() => parseCheckpointText(text))).toBe('malformed');
  });

  it('reads signing keys from PKCS#8 PEM and from a base64 seed, to the same key', () => {
    const seed = Buffer.alloc(32, 9);
    const fromSeed = ed25519PrivateKey(seed.toString('base64'));
    const pem = fromSeed.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = ed25519PrivateKey(pem);
    expect(noteSigner('n', fromPem).verifier.vkey).toBe(noteSigner('n', fromSeed).verifier.vkey);
    expect(() => ed25519PrivateKey(seed.subarray(0, 31).toString('base64'))).toThrow();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() =>
      ed25519PrivateKey(rsa.export({ format: 'pem', type: 'pkcs8' }).toString()),
    ).toThrow();
  });
});

describe('the frozen keyway.checkpoint.signed.v1 fixture', () => {
  it('carries a note its published key verifies, with the fields it copies', () => {
    const file = join(
      __dirname,
      '../../../contracts/src/fixtures/keyway.checkpoint.signed.v1.json',
    );
    const event = JSON.parse(readFileSync(file, 'utf8')) as {
      data: { note: string; size: number; headHash: string; keyId: string };
    };
    const vkey = 'audit.keyway.example+bfca1ec2+AX6g471S4gfJ07DrplwHBOZvyi2OFloXUhixdPxBYOQT';
    const { checkpoint: opened } = openCheckpoint(event.data.note, [parseVerifierKey(vkey)]);
    expect(opened).toMatchObject({ size: event.data.size, headHash: event.data.headHash });
    expect(vkey).toContain(event.data.keyId);
  });
});
