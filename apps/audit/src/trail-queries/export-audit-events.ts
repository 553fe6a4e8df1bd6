import { type Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { type AuditExportFormat } from '@keyway/contracts';
import { ExportConnections } from './export/export-connections';
import { type ExportEncoder, ocsfUsageEncoder, TRAIL_ENCODERS } from './export/export-encoders';
import { exportStream } from './export/export-stream';
import {
  keyMentionedQuery,
  type TrailFilter,
  trailExportQuery,
  usageExportQuery,
} from './trail-filter';
import { TrailQueryError } from './trail-query.errors';

export interface ExportAuditEventsCommand extends TrailFilter {
  readonly format: AuditExportFormat;
  readonly source: 'trail' | 'usage';
}

export interface AuditExport {
  readonly contentType: string;
  /** Stable for the query: no date in it, so that the same export is the same download. */
  readonly filename: string;
  readonly body: Readable;
}

/**
 * `GET /v1/audit/events/export`: the caller's trail (or usage as OCSF API Activity) streamed from
 * one consistent snapshot. What can refuse the export (a key not the caller's, no connection
 * free) is decided before the first byte, so that it is a proper error answer.
 */
@Injectable()
export class ExportAuditEvents {
  constructor(private readonly connections: ExportConnections) {}

  async execute(workspaceId: string, command: ExportAuditEventsCommand): Promise<AuditExport> {
    const client = await this.connections.acquire();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      if (command.keyId !== undefined) {
        const check = keyMentionedQuery(workspaceId, command.keyId);
        const found = await client.query<{ found: boolean }>(check.text, check.values);
        if (found.rows[0]?.found !== true) throw TrailQueryError.keyNotFound(command.keyId);
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
    const encoder: ExportEncoder<never> =
      command.source === 'usage' ? ocsfUsageEncoder(workspaceId) : TRAIL_ENCODERS[command.format];
    const query =
      command.source === 'usage'
        ? usageExportQuery(workspaceId, command)
        : trailExportQuery(workspaceId, command);
    const name = command.source === 'usage' ? 'keyway-usage' : 'keyway-audit';
    return {
      contentType: encoder.contentType,
      filename: `${name}-${workspaceId}.${encoder.extension}`,
      body: exportStream(client, query, encoder),
    };
  }
}
