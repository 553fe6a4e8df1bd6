import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope, CurrentCaller } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AuditRoute } from '../http/api-docs';
import { AlertQueries } from './alert-queries';
import { AlertListDto, AlertResourceDto, ListAlertsQueryDto } from './dto';

@ApiTags('alerts')
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly queries: AlertQueries) {}

  @Get()
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "The workspace's alerts, newest raised first (cursor pagination)" })
  @ApiResponse({ status: 200, type: AlertListDto })
  @AuditRoute()
  list(@Query() query: ListAlertsQueryDto, @CurrentCaller() caller: Caller) {
    return this.queries.list(caller.workspaceId, query);
  }

  @Get(':id')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: 'Get an alert' })
  @ApiResponse({ status: 200, type: AlertResourceDto })
  @AuditRoute(404)
  get(@Param('id') id: string, @CurrentCaller() caller: Caller) {
    return this.queries.get(caller.workspaceId, id);
  }
}
