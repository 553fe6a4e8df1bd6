import { Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller';
import { ExportConnections } from './export/export-connections';
import { ExportAuditEvents } from './export-audit-events';
import { ListAuditEvents } from './list-audit-events';

/** `GET /v1/audit/events` and its exports. */
@Module({
  controllers: [AuditEventsController],
  providers: [ListAuditEvents, ExportAuditEvents, ExportConnections],
})
export class TrailQueriesModule {}
