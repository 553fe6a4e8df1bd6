import { Body, Controller, Get, Param, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import {
  IdentityDto,
  IdentityListDto,
  IdentityPathParamsDto,
  ListIdentitiesQueryDto,
  PutIdentityDto,
} from './dto/identity.dto';
import { IdentitiesService } from './identities.service';

const EXTERNAL_ID = ApiParam({
  name: 'externalId',
  description: "The product's id for the owner (letters, digits and `_.:@-`, 1–128; not `mem_…`).",
});

@ApiTags('identities')
@Controller('v1/identities')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Put(':externalId')
  @RequireScopes('keyway:identities:write')
  @RequireLiveKey()
  @ApiOperation({
    summary: 'Create (201) or replace (200) an identity; its keys follow its scopes at once',
  })
  @EXTERNAL_ID
  @ApiResponse({ status: 201, type: IdentityDto })
  @ApiResponse({ status: 200, type: IdentityDto })
  @ManagementRoute(409)
  async put(
    @Param() params: IdentityPathParamsDto,
    @Body() body: PutIdentityDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { created, identity } = await this.identities.put(
      principal.workspaceId,
      params.externalId,
      body,
      eventContext(principal, request),
    );
    void reply.status(created ? 201 : 200);
    return identity;
  }

  @Get()
  @RequireScopes('keyway:keys:read', 'keyway:identities:write')
  @ApiOperation({ summary: 'List identities, newest first (cursor pagination)' })
  @ApiResponse({ status: 200, type: IdentityListDto })
  @ManagementRoute()
  list(@Query() query: ListIdentitiesQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.identities.list(principal.workspaceId, query);
  }

  @Get(':externalId')
  @RequireScopes('keyway:keys:read', 'keyway:identities:write')
  @ApiOperation({ summary: 'Get an identity' })
  @EXTERNAL_ID
  @ApiResponse({ status: 200, type: IdentityDto })
  @ManagementRoute(404)
  get(@Param() params: IdentityPathParamsDto, @CurrentPrincipal() principal: Principal) {
    return this.identities.get(principal.workspaceId, params.externalId);
  }
}
