import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type KeyActivityResponse, type KeyReport, type KeyUsageResponse } from '@keyway/contracts';
import { RequireScope, CurrentCaller } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AuditRoute } from '../http/api-docs';
import {
  AuditKeyPathDto,
  KeyActivityDto,
  KeyActivityQueryDto,
  KeyReportDto,
  KeyReportQueryDto,
  KeyUsageDto,
  KeyUsageQueryDto,
} from './dto/usage.dto';
import { KeyActivityView } from './key-activity-view';
import { KeyReports } from './key-reports';
import { KeyUsageSeries } from './key-usage-series';

/** A key's usage and activity, and the workspace's inactive and stale keys. */
@ApiTags('usage')
@Controller('v1')
export class UsageController {
  constructor(
    private readonly series: KeyUsageSeries,
    private readonly activity: KeyActivityView,
    private readonly reports: KeyReports,
  ) {}

  @Get('keys/:id/usage')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "A key's verifications per minute, hour or day, by outcome" })
  @ApiResponse({ status: 200, type: KeyUsageDto })
  @AuditRoute(404)
  usage(
    @Param() params: AuditKeyPathDto,
    @Query() query: KeyUsageQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyUsageResponse> {
    return this.series.execute(caller, params.id, query);
  }

  @Get('keys/:id/activity')
  @RequireScope('keyway:audit:read')
  @ApiOperation({
    summary: 'When a key was first seen, last seen, last used; its addresses; totals',
  })
  @ApiResponse({ status: 200, type: KeyActivityDto })
  @AuditRoute(404)
  keyActivity(
    @Param() params: AuditKeyPathDto,
    @Query() query: KeyActivityQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyActivityResponse> {
    return this.activity.execute(caller, params.id, query);
  }

  @Get('reports/inactive-keys')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: 'Active keys with no successful verification for N days' })
  @ApiResponse({ status: 200, type: KeyReportDto })
  @AuditRoute()
  inactiveKeys(
    @Query() query: KeyReportQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyReport> {
    return this.reports.inactive(caller, query);
  }

  @Get('reports/stale-keys')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: 'Active keys not rotated (nor created) for N days' })
  @ApiResponse({ status: 200, type: KeyReportDto })
  @AuditRoute()
  staleKeys(
    @Query() query: KeyReportQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<KeyReport> {
    return this.reports.stale(caller, query);
  }
}
