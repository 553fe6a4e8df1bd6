import { Controller, Get, Param, Query } from '@nestjs/common';
import { type KeyActivityResponse, type KeyReport, type KeyUsageResponse } from '@keyway/contracts';
import { RequireScope, CurrentCaller } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import {
  AuditKeyPathDto,
  KeyActivityQueryDto,
  KeyReportQueryDto,
  KeyUsageQueryDto,
} from './dto/usage.dto';
import { KeyActivityView } from './key-activity-view';
import { KeyReports } from './key-reports';
import { KeyUsageSeries } from './key-usage-series';

/** A key's usage and activity, and the workspace's inactive and stale keys. */
@Controller('v1')
export class UsageController {
  constructor(
    private readonly series: KeyUsageSeries,
    private readonly activity: KeyActivityView,
    private readonly reports: KeyReports,
  ) {}

  @Get('keys/:id/usage')
  @RequireScope('keyway:audit:read')
  usage(
    @Param() params: AuditKeyPathDto,
    @Query() query: KeyUsageQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyUsageResponse> {
    return this.series.execute(caller, params.id, query);
  }

  @Get('keys/:id/activity')
  @RequireScope('keyway:audit:read')
  keyActivity(
    @Param() params: AuditKeyPathDto,
    @Query() query: KeyActivityQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyActivityResponse> {
    return this.activity.execute(caller, params.id, query);
  }

  @Get('reports/inactive-keys')
  @RequireScope('keyway:audit:read')
  inactiveKeys(
    @Query() query: KeyReportQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyReport> {
    return this.reports.inactive(caller, query);
  }

  @Get('reports/stale-keys')
  @RequireScope('keyway:audit:read')
  staleKeys(
    @Query() query: KeyReportQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyReport> {
    return this.reports.stale(caller, query);
  }
}
