import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AuditEventList } from '@keyway/contracts';
import { CurrentCaller, RequireScope } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AuditRoute } from '../http/api-docs';
import {
  AuditEventListDto,
  ExportAuditEventsQueryDto,
  type ExportAuditEventsParams,
  ListAuditEventsQueryDto,
  type ListAuditEventsParams,
} from './audit-events.dto';
import { ExportAuditEvents } from './export-audit-events';
import { ListAuditEvents } from './list-audit-events';

const EXPORT_BODY = { schema: { type: 'string' as const } };

/** The caller's audit trail: pages of it, and its streamed exports. */
@ApiTags('audit')
@Controller('v1/audit/events')
export class AuditEventsController {
  constructor(
    private readonly listEvents: ListAuditEvents,
    private readonly exportEvents: ExportAuditEvents,
  ) {}

  @Get()
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "A page of the caller's trail, filtered, in chain order" })
  @ApiResponse({ status: 200, type: AuditEventListDto })
  @AuditRoute(404)
  async list(
    @Query() query: ListAuditEventsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<AuditEventList> {
    return this.listEvents.execute(caller.workspaceId, query as ListAuditEventsParams);
  }

  @Get('export')
  @RequireScope('keyway:audit:read')
  @ApiOperation({
    summary: 'The whole selection, streamed: NDJSON (also `format=ocsf`) or CSV, as an attachment',
  })
  @ApiResponse({
    status: 200,
    description:
      '`format=ndjson`: one stored record per line; `format=ocsf`: one OCSF event per line; ' +
      '`format=csv`: a header row, then one record per row.',
    content: {
      'application/x-ndjson': EXPORT_BODY,
      'text/csv': EXPORT_BODY,
    },
  })
  @AuditRoute(404)
  async export(
    @Query() query: ExportAuditEventsQueryDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const exported = await this.exportEvents.execute(
      caller.workspaceId,
      query as ExportAuditEventsParams,
    );
    void reply.headers({
      'content-type': exported.contentType,
      'content-disposition': `attachment; filename="${exported.filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    return exported.body;
  }
}
