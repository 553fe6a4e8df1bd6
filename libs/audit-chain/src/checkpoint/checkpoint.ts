import { GENESIS_HASH } from '@keyway/contracts';
import {
  isValidKeyName,
  NoteError,
  openNote,
  type NoteSigner,
  type NoteVerifier,
  signNote,
} from './signed-note';
import { decodeBase64Strict } from './strict-base64';

// A workspace chain's checkpoint: a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) body
// in a signed note. The "root hash" is the chain's head hash (the hash of the record at `size`),
// not a Merkle root, and two extension lines follow, always both and in this order:
//
//   <origin prefix>/<workspace id>
//   <size>
//   <base64 of the 32-byte head hash>
//   start <first stored position> <base64 of the 32-byte hash before it>
//   time <ISO-8601 UTC with milliseconds>

export interface Checkpoint {
  /** The configured origin prefix (`AUDIT_CHECKPOINT_ORIGIN`), without the workspace. */
  readonly originPrefix: string;
  readonly workspaceId: string;
  /** Position of the chain's last record; 0 when empty. */
  readonly size: number;
  /** Hash of the record at `size` (hex), `GENESIS_HASH` when empty. */
  readonly headHash: string;
  /** First position still stored (retention prunes before it); 1 until something is pruned. */
  readonly startPosition: number;
  /** Hash of the record before `startPosition` (hex), `GENESIS_HASH` while it is 1. */
  readonly startPrevHash: string;
  /** When it was signed. */
  readonly time: string;
}

const WORKSPACE_ID = /^ws_[0-9A-Za-z]{1,64}$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,15})$/;
const POSITIVE = /^[1-9][0-9]{0,15}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const invalid = (why: string) => new NoteError('malformed', `malformed checkpoint: ${why}`);

function hashToBase64(hex: string): string {
  if (!HEX_HASH.test(hex)) throw invalid('a hash must be 64 lowercase hex digits');
  return Buffer.from(hex, 'hex').toString('base64');
}

function hashFromBase64(text: string): string {
  const bytes = decodeBase64Strict(text);
  if (bytes === null || bytes.length !== 32) throw invalid('a hash must be base64 of 32 bytes');
  return bytes.toString('hex');
}

function safeInteger(text: string, pattern: RegExp, what: string): number {
  const value = Number(text);
  if (!pattern.test(text) || !Number.isSafeInteger(value)) throw invalid(`bad ${what}`);
  return value;
}

/** Refuses checkpoints that cannot describe a chain. */
function assertCoherent(checkpoint: Checkpoint): void {
  const { size, startPosition, headHash, startPrevHash, originPrefix, workspaceId, time } =
    checkpoint;
  if (!isValidKeyName(originPrefix)) throw invalid('bad origin');
  if (!WORKSPACE_ID.test(workspaceId)) throw invalid('bad workspace id');
  if (!Number.isSafeInteger(size) || size < 0) throw invalid('bad size');
  if (!Number.isSafeInteger(startPosition) || startPosition < 1 || startPosition > size + 1) {
    throw invalid('the start must lie within 1..size+1');
  }
  // Nothing stored: the head is the hash before the start (genesis for a chain never written).
  if (startPosition === size + 1 && headHash !== startPrevHash) {
    throw invalid('an empty chain has its head hash equal to the hash before its start');
  }
  if (startPosition === 1 && startPrevHash !== GENESIS_HASH) {
    throw invalid('a chain starting at 1 starts after the genesis hash');
  }
  if (!ISO_MS.test(time) || new Date(time).toISOString() !== time) throw invalid('bad time');
}

/** The note text of a checkpoint (what is signed). */
export function checkpointText(checkpoint: Checkpoint): string {
  assertCoherent(checkpoint);
  return [
    `${checkpoint.originPrefix}/${checkpoint.workspaceId}`,
    String(checkpoint.size),
    hashToBase64(checkpoint.headHash),
    `start ${checkpoint.startPosition} ${hashToBase64(checkpoint.startPrevHash)}`,
    `time ${checkpoint.time}`,
    '',
  ].join('\n');
}

/** Parses a checkpoint's note text, strictly: exactly the five lines above. */
export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw invalid('the text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 5) throw invalid(`expected 5 lines, got ${lines.length}`);
  const [origin = '', size = '', head = '', start = '', time = ''] = lines;
  const slash = origin.lastIndexOf('/');
  const startFields = start.split(' ');
  const timeFields = time.split(' ');
  if (startFields.length !== 3 || startFields[0] !== 'start') throw invalid('bad start line');
  if (timeFields.length !== 2 || timeFields[0] !== 'time') throw invalid('bad time line');
  const checkpoint: Checkpoint = {
    originPrefix: slash > 0 ? origin.slice(0, slash) : '',
    workspaceId: origin.slice(slash + 1),
    size: safeInteger(size, DECIMAL, 'size'),
    headHash: hashFromBase64(head),
    startPosition: safeInteger(startFields[1] ?? '', POSITIVE, 'start position'),
    startPrevHash: hashFromBase64(startFields[2] ?? ''),
    time: timeFields[1] ?? '',
  };
  assertCoherent(checkpoint);
  return checkpoint;
}

/** The signed note of a checkpoint. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointText(checkpoint), signer);
}

/**
 * The checkpoint of a signed note, if one of the verifiers signed it (see `openNote`), or a
 * `NoteError` saying why not.
 */
export function openCheckpoint(
  note: string,
  verifiers: readonly NoteVerifier[],
): { checkpoint: Checkpoint; signedBy: readonly NoteVerifier[] } {
  const { text, signedBy } = openNote(note, verifiers);
  return { checkpoint: parseCheckpointText(text), signedBy };
}
