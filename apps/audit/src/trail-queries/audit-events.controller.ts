import { Controller, Get, Query, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type AuditEventList } from '@keyway/contracts';
import { CurrentCaller, RequireScope } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import {
  ExportAuditEventsQueryDto,
  type ExportAuditEventsParams,
  ListAuditEventsQueryDto,
  type ListAuditEventsParams,
} from './audit-events.dto';
import { ExportAuditEvents } from './export-audit-events';
import { ListAuditEvents } from './list-audit-events';

/** The caller's audit trail: pages of it, and its streamed exports. */
@Controller('v1/audit/events')
export class AuditEventsController {
  constructor(
    private readonly listEvents: ListAuditEvents,
    private readonly exportEvents: ExportAuditEvents,
  ) {}

  @Get()
  @RequireScope('keyway:audit:read')
  async list(
    @Query() query: ListAuditEventsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<AuditEventList> {
    return this.listEvents.execute(caller.workspaceId, query as ListAuditEventsParams);
  }

  @Get('export')
  @RequireScope('keyway:audit:read')
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
