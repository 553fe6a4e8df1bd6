import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { decodeBase64Strict } from './strict-base64';

// C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only: a text ending in a newline, a
// blank line, then signature lines `— <key name> <base64(key id ‖ signature)>`.

/** The signature type byte of Ed25519 in key ids and verifier keys. */
const ED25519 = 0x01;
const EM_DASH_SPACE = '\u2014 ';
/** Notes larger than this, or with more signatures, are refused before any parsing. */
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_SIGNATURES = 100;
// Key names: non-empty, no Unicode space, no plus (the spec); we also refuse control characters.
const KEY_NAME = /^[^\s+\p{Z}\p{Cc}]+$/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type NoteErrorReason = 'malformed' | 'unknown_key' | 'signature_invalid';

/** A note that cannot be trusted: malformed, signed by no known key, or by a known key badly. */
export class NoteError extends Error {
  constructor(
    readonly reason: NoteErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'NoteError';
  }
}

export function isValidKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

/** SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]. */
export function noteKeyId(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(ED25519), publicKey]))
    .digest()
    .subarray(0, 4);
}

/** The raw 32 bytes of an Ed25519 public key. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519' || typeof jwk.x !== 'string') {
    throw new Error('not an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url');
}

export interface NoteVerifier {
  readonly name: string;
  /** 4 bytes, as hex. */
  readonly keyId: string;
  /** `<name>+<hex key id>+<base64(0x01 ‖ public key)>`. */
  readonly vkey: string;
  verify(text: string, signature: Buffer): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: string;
  readonly verifier: NoteVerifier;
  sign(text: string): Buffer;
}

function verifierOf(name: string, publicKey: Buffer): NoteVerifier {
  const keyId = noteKeyId(name, publicKey);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  const vkey = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.of(ED25519), publicKey]).toString('base64')}`;
  return {
    name,
    keyId: keyId.toString('hex'),
    vkey,
    verify: (text, signature) =>
      signature.length === 64 && verify(null, Buffer.from(text, 'utf8'), key, signature),
  };
}

/** A signer from an Ed25519 private key object. */
export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw new Error('invalid key name (empty, a space or a plus)');
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error('the signing key must be an Ed25519 private key');
  }
  const verifier = verifierOf(name, rawPublicKey(createPublicKey(privateKey)));
  return {
    name,
    keyId: verifier.keyId,
    verifier,
    sign: (text) => sign(null, Buffer.from(text, 'utf8'), privateKey),
  };
}

/**
 * An Ed25519 private key from PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, as
 * `openssl genpkey -algorithm ed25519` writes) or from the base64 of its 32-byte seed.
 */
export function ed25519PrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    key = createPrivateKey({ key: trimmed, format: 'pem' });
  } else {
    const seed = decodeBase64Strict(trimmed);
    if (seed === null || seed.length !== 32) {
      throw new Error('expected PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed');
    }
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the key is not an Ed25519 key');
  return key;
}

/** Parses a verifier key, `<name>+<hex key id>+<base64(0x01 ‖ 32-byte public key)>`, strictly. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // The base64 key may itself contain plus signs; the name and the key id cannot.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (match === null) throw new Error('a verifier key is <name>+<hex key id>+<base64 key>');
  const [, name = '', hexId = '', encoded = ''] = match;
  if (!isValidKeyName(name)) throw new Error('invalid key name in the verifier key');
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new Error('the key id must be 8 lowercase hex digits');
  const bytes = decodeBase64Strict(encoded);
  if (bytes === null || bytes.length !== 33 || bytes[0] !== ED25519) {
    throw new Error('the key must be base64 of 0x01 and a 32-byte Ed25519 public key');
  }
  const verifier = verifierOf(name, bytes.subarray(1));
  if (verifier.keyId !== hexId) throw new Error('the key id does not match the key');
  return verifier;
}

export interface NoteSignature {
  readonly name: string;
  /** 4 bytes, as hex. */
  readonly keyId: string;
  readonly signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, its final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

const malformed = (why: string) => new NoteError('malformed', `malformed note: ${why}`);

/** Refuses what the spec forbids in a note: control characters but newline, lone surrogates. */
function assertNoteCharacters(text: string, what: string): void {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) {
      throw malformed(`${what} contains a control character`);
    }
  }
  if (LONE_SURROGATE.test(text)) throw malformed(`${what} is not valid Unicode`);
}

/** Signs a text (non-empty, ending in a newline) into a note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (text.length === 0 || !text.endsWith('\n')) throw malformed('text must end with a newline');
  assertNoteCharacters(text, 'text');
  const signature = Buffer.concat([Buffer.from(signer.keyId, 'hex'), signer.sign(text)]);
  return `${text}\n${EM_DASH_SPACE}${signer.name} ${signature.toString('base64')}\n`;
}

/** Splits a note into its text and signature lines, refusing anything malformed. */
export function parseNote(note: string): ParsedNote {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw malformed('too large');
  assertNoteCharacters(note, 'note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2);
  if (!lines.endsWith('\n')) throw malformed('the last signature line must end with a newline');
  const signatureLines = lines.slice(0, -1).split('\n');
  if (signatureLines.length > MAX_SIGNATURES) throw malformed('too many signatures');
  const signatures = signatureLines.map((line): NoteSignature => {
    if (!line.startsWith(EM_DASH_SPACE)) throw malformed('a signature line must start with "— "');
    const fields = line.slice(EM_DASH_SPACE.length).split(' ');
    const [name, encoded] = fields;
    if (fields.length !== 2 || name === undefined || encoded === undefined) {
      throw malformed('a signature line is "— <key name> <base64>"');
    }
    if (!isValidKeyName(name)) throw malformed('invalid key name');
    const bytes = decodeBase64Strict(encoded);
    if (bytes === null || bytes.length < 5) throw malformed('invalid signature encoding');
    return {
      name,
      keyId: bytes.subarray(0, 4).toString('hex'),
      signature: bytes.subarray(4),
    };
  });
  return { text, signatures };
}

/**
 * The text of a note, if a known key signed it: signatures by unknown keys (name and key id both
 * must match) are ignored, one by a known key that does not verify rejects the note, and at least
 * one known key must have signed it.
 */
export function openNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): { text: string; signedBy: NoteVerifier[] } {
  const { text, signatures } = parseNote(note);
  const signedBy: NoteVerifier[] = [];
  for (const signature of signatures) {
    const verifier = verifiers.find(
      (known) => known.name === signature.name && known.keyId === signature.keyId,
    );
    if (verifier === undefined) continue;
    if (!verifier.verify(text, signature.signature)) {
      throw new NoteError(
        'signature_invalid',
        `the signature of ${verifier.name}+${verifier.keyId} does not verify`,
      );
    }
    if (!signedBy.includes(verifier)) signedBy.push(verifier);
  }
  if (signedBy.length === 0) throw new NoteError('unknown_key', 'no known key signed the note');
  return { text, signedBy };
}
