import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { CurrentCaller, RequireScope } from '../auth/audit-auth.guard';
import { type Caller } from '../auth/caller';
import { AlertQueries } from './alert-queries';
import { CreateSuppression } from './create-suppression';
import { DeleteSuppression } from './delete-suppression';
import { CreateSuppressionDto, ListSuppressionsQueryDto } from './dto';
import { requestContext } from './request-context';

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
  create(
    @Body() body: CreateSuppressionDto,
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
  ) {
    return this.createSuppression.execute(requestContext(caller, request), body);
  }

  @Get()
  @RequireScope('keyway:audit:read')
  list(@Query() query: ListSuppressionsQueryDto, @CurrentCaller() caller: Caller) {
    return this.queries.suppressionsOf(caller.workspaceId, query);
  }

  @Delete(':id')
  @RequireScope('keyway:audit:write')
  delete(@Param('id') id: string, @CurrentCaller() caller: Caller, @Req() request: FastifyRequest) {
    return this.deleteSuppression.execute(requestContext(caller, request), id);
  }
}
