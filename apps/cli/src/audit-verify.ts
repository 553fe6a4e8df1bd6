import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  type ChainReport,
  type Checkpoint,
  ChainVerifier,
  NoteError,
  type NoteVerifier,
  openCheckpoint,
  parseCheckpointText,
  parseNote,
  parseVerifierKey,
} from '@keyway/audit-chain';

/**
 * The notes of a checkpoints file: NDJSON whose lines are `keyway.checkpoint.signed.v1` events
 * (as read from `keyway.audit-checkpoints.v1`) or checkpoint resources (as served by
 * `GET /v1/audit/checkpoints`), or the signed notes themselves, one after the other.
 */
export function checkpointNotes(content: string): string[] {
  const text = content.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line, index) => {
        const value = JSON.parse(line) as { note?: unknown; data?: { note?: unknown } };
        const note = value.data?.note ?? value.note;
        if (typeof note !== 'string') throw new Error(`checkpoints line ${index + 1} has no note`);
        return note;
      });
  }
  // Concatenated notes: a note ends with its signature lines ("— …"); a line after them that is
  // not one starts the next note.
  const notes: string[] = [];
  let current: string[] = [];
  let inSignatures = false;
  for (const line of text.split('\n')) {
    if (inSignatures && !line.startsWith('\u2014 ')) {
      notes.push(`${current.join('\n')}\n`);
      current = [];
      inSignatures = false;
      if (line === '') continue;
    }
    if (line.startsWith('\u2014 ') && current[current.length - 1] === '') inSignatures = true;
    current.push(line);
  }
  if (inSignatures) notes.push(`${current.join('\n')}\n`);
  else if (current.some((line) => line !== '')) throw new Error('the last note has no signature');
  return notes;
}

/** Verifier keys: vkeys separated by whitespace (a file may hold several, one a line). */
export function verifierKeys(texts: readonly string[]): NoteVerifier[] {
  const keys = texts.flatMap((text) => text.split(/\s+/).filter(Boolean)).map(parseVerifierKey);
  if (keys.length === 0) throw new Error('no public key: pass --key FILE or --key-text VKEY');
  return keys;
}

/** Checkpoints of the workspace that verify, and breaks for those that do not. */
function trustedCheckpoints(notes: readonly string[], keys: readonly NoteVerifier[], ws: string) {
  const checkpoints: Checkpoint[] = [];
  const refused: Array<{ position: number; detail: string }> = [];
  notes.forEach((note, index) => {
    let claimed: Checkpoint | null = null;
    try {
      claimed = parseCheckpointText(parseNote(note).text);
    } catch {
      // Malformed: refused below with the reason openCheckpoint gives.
    }
    if (claimed !== null && claimed.workspaceId !== ws) return;
    try {
      checkpoints.push(openCheckpoint(note, keys).checkpoint);
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      refused.push({
        position: claimed?.size ?? 0,
        detail: `checkpoint ${index + 1} of the file is refused: ${error.message}`,
      });
    }
  });
  return { checkpoints, refused };
}

/**
 * A verifier of one workspace's export, anchored by the checkpoints that verify. Without any
 * checkpoint of the workspace nothing ties the export to the key: anyone can compute a chain of
 * SHA-256 hashes, so such an export is refused rather than reported valid.
 */
export function exportVerifier(
  notes: readonly string[],
  keys: readonly NoteVerifier[],
  workspaceId: string,
): ChainVerifier {
  const { checkpoints, refused } = trustedCheckpoints(notes, keys, workspaceId);
  if (checkpoints.length === 0 && refused.length === 0) {
    throw new Error(
      `no checkpoint of ${workspaceId} in the checkpoints file: nothing to verify against`,
    );
  }
  const created = new ChainVerifier({ workspaceId, checkpoints });
  for (const { position, detail } of refused) {
    created.report({
      reason: 'checkpoint_signature_invalid',
      position,
      count: 1,
      recordId: null,
      line: null,
      detail,
    });
  }
  return created;
}

export interface VerifyExportOptions {
  readonly exportFile: string;
  readonly checkpointsFile: string;
  readonly keys: readonly NoteVerifier[];
  /** The workspace, when the export may not say (an empty export). */
  readonly workspaceId?: string | undefined;
}

/** Verifies an NDJSON export line by line (constant memory) against the checkpoints. */
export async function verifyExport(options: VerifyExportOptions): Promise<ChainReport> {
  const notes = checkpointNotes(readFileSync(options.checkpointsFile, 'utf8'));
  const lines = createInterface({
    input: createReadStream(options.exportFile, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let verifier: ChainVerifier | null = null;
  const start = (workspaceId: string) => exportVerifier(notes, options.keys, workspaceId);
  for await (const line of lines) {
    if (verifier === null) {
      verifier = start(options.workspaceId ?? workspaceOf(line));
    }
    verifier.push(line);
  }
  if (verifier === null) {
    if (options.workspaceId === undefined) throw new Error('the export is empty: pass --workspace');
    verifier = start(options.workspaceId);
  }
  return verifier.finish();
}

function workspaceOf(line: string): string {
  try {
    const { workspaceId } = JSON.parse(line) as { workspaceId?: unknown };
    if (typeof workspaceId === 'string') return workspaceId;
  } catch {
    // Reported below.
  }
  throw new Error('the first line of the export is not a record: pass --workspace');
}

/** A report for people: the verdict, then every break. */
export function describeReport(report: ChainReport): string {
  const lines = [
    report.valid
      ? `OK: ${report.records} records of ${report.workspaceId} verify (positions ${report.firstPosition ?? '-'}..${report.lastPosition ?? '-'}, checkpoints reach ${report.expectedSize})`
      : `BROKEN: ${report.breaks.length + report.breaksOmitted} break(s) in ${report.records} records of ${report.workspaceId}`,
    ...report.breaks.map(
      (b) =>
        `  ${b.reason} at position ${b.position}${b.count > 1 ? ` (+${b.count - 1})` : ''}` +
        `${b.recordId ? ` record ${b.recordId}` : ''}${b.line ? ` line ${b.line}` : ''}: ${b.detail}`,
    ),
  ];
  if (report.breaksOmitted > 0) lines.push(`  … and ${report.breaksOmitted} more`);
  return lines.join('\n');
}
