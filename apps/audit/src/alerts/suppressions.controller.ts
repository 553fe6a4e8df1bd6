import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { CurrentCaller, RequireScope } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AuditRoute } from '../http/api-docs';
import { AlertQueries } from './alert-queries';
import { CreateSuppression } from './create-suppression';
import { DeleteSuppression } from './delete-suppression';
import {
  CreateSuppressionDto,
  ListSuppressionsQueryDto,
  SuppressionListDto,
  SuppressionResourceDto,
} from './dto';
import { requestContext } from './request-context';

@ApiTags('alerts')
@Controller('v1/alerts/suppressions')
export class SuppressionsController {
  constructor(
    private readonly queries: AlertQueries,
    private readonly createSuppression: CreateSuppression,
    private readonly deleteSuppression: DeleteSuppression,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScope('keyway:audit:write')
  @ApiOperation({ summary: 'Suppress matching alerts for a while (the rule is on the trail)' })
  @ApiResponse({ status: 201, type: SuppressionResourceDto })
  @AuditRoute()
  create(
    @Body() body: CreateSuppressionDto,
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
  ) {
    return this.createSuppression.execute(requestContext(caller, request), body);
  }

  @Get()
  @RequireScope('keyway:audit:read')
  @ApiOperation({ summary: "The workspace's suppressions, newest first (cursor pagination)" })
  @ApiResponse({ status: 200, type: SuppressionListDto })
  @AuditRoute()
  list(@Query() query: ListSuppressionsQueryDto, @CurrentCaller() caller: Caller) {
    return this.queries.suppressionsOf(caller.workspaceId, query);
  }

  @Delete(':id')
  @RequireScope('keyway:audit:write')
  @ApiOperation({ summary: 'End a suppression (the deletion is on the trail)' })
  @ApiResponse({ status: 200, type: SuppressionResourceDto })
  @AuditRoute(404)
  delete(@Param('id') id: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest) {
    return this.deleteSuppression.execute(requestContext(caller, request), id);
  }
}
