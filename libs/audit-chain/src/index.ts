// @keyway/audit-chain: the audit trail's hash chain, shared by the audit service and the offline
// verifier in the CLI. Pure: no I/O.
export { canonicalJson, NotCanonicalizable } from './canonical-json';
export { recordHash } from './record-hash';
export {
  ed25519PrivateKey,
  isValidKeyName,
  NoteError,
  type NoteErrorReason,
  noteKeyId,
  noteSigner,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
} from './checkpoint/signed-note';
export {
  type Checkpoint,
  checkpointText,
  openCheckpoint,
  parseCheckpointText,
  signCheckpoint,
} from './checkpoint/checkpoint';
export {
  BREAK_REASONS,
  type BreakReason,
  type ChainBreak,
  type ChainReport,
  ChainVerifier,
  type ChainVerifierOptions,
  type StoredHead,
} from './verify/chain-verifier';
