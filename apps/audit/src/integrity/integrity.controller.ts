import { Body, Controller, Get, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { IpAddress } from '@keyway/contracts';
import { CurrentCaller, RequireScope } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AuditRoute } from '../http/api-docs';
import { CheckpointQueries } from './checkpoint-queries';
import {
  CheckpointDto,
  CheckpointListDto,
  IntegrityReportDto,
  ListCheckpointsQueryDto,
  PublicKeyListDto,
  PutRetentionDto,
  RetentionDto,
} from './dto/integrity.dto';
import { IntegrityCheck } from './integrity-check';
import { type ChangeContext, RetentionService } from './retention.service';

function changeContext(caller: Caller, request: FastifyRequest): ChangeContext {
  const userAgent = request.headers['user-agent'];
  const requestId = (request.raw as { id?: unknown }).id;
  return {
    keyId: caller.keyId,
    clientAddress: IpAddress.safeParse(request.ip).success ? request.ip : null,
    userAgent: typeof userAgent === 'string' && userAgent !== '' ? userAgent.slice(0, 1024) : null,
    requestId: typeof requestId === 'string' ? requestId.slice(0, 128) : null,
  };
}

@ApiTags('audit')
@Controller('v1/audit')
export class IntegrityController {
  constructor(
    private readonly check: IntegrityCheck,
    private readonly checkpoints: CheckpointQueries,
    private readonly retention: RetentionService,
  ) {}

  @Get('integrity')
  @RequireScope('keyway:audit:read')
  @ApiOperation({
    summary: "Verify the caller's workspace chain end to end against its latest checkpoint",
  })
  @ApiResponse({ status: 200, type: IntegrityReportDto })
  @AuditRoute()
  integrity(@CurrentCaller() caller: Caller) {
    return this.check.run(caller.workspaceId);
  }

  @Get('checkpoints')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "The workspace's signed checkpoints, newest first" })
  @ApiResponse({ status: 200, type: CheckpointListDto })
  @AuditRoute()
  list(@Query() query: ListCheckpointsQueryDto, @CurrentCaller() caller: Caller) {
    return this.checkpoints.list(caller.workspaceId, query);
  }

  @Get('checkpoints/latest')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "The workspace's latest signed checkpoint" })
  @ApiResponse({ status: 200, type: CheckpointDto })
  @AuditRoute(404)
  latest(@CurrentCaller() caller: Caller) {
    return this.checkpoints.latest(caller.workspaceId);
  }

  @Get('public-keys')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: 'The keys verifying checkpoints: the current one and the old ones' })
  @ApiResponse({ status: 200, type: PublicKeyListDto })
  @AuditRoute()
  publicKeys() {
    return this.checkpoints.publicKeys();
  }

  @Get('retention')
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "The workspace's retention of trail records and usage" })
  @ApiResponse({ status: 200, type: RetentionDto })
  @AuditRoute()
  getRetention(@CurrentCaller() caller: Caller) {
    return this.retention.get(caller.workspaceId);
  }

  @Put('retention')
  @RequireScope('keyway:audit:write')
  @ApiOperation({ summary: "Set the workspace's retention (the change is on the trail)" })
  @ApiResponse({ status: 200, type: RetentionDto })
  @AuditRoute()
  putRetention(
    @Body() body: PutRetentionDto,
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
  ) {
    return this.retention.set(caller.workspaceId, body.days, changeContext(caller, request));
  }
}
