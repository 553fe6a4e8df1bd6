import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireScope, CurrentCaller } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AlertQueries } from './alert-queries';
import { ListAlertsQueryDto } from './dto';

@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly queries: AlertQueries) {}

  @Get()
  @RequireScope('keyway:audit:read')
  list(@Query() query: ListAlertsQueryDto, @CurrentCaller() caller: Caller) {
    return this.queries.list(caller.workspaceId, query);
  }

  @Get(':id')
  @RequireScope('keyway:audit:read')
  get(@Param('id') id: string, @CurrentCaller() caller: Caller) {
    return this.queries.get(caller.workspaceId, id);
  }
}
