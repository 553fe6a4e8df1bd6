import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { CreateMemberDto, MemberDto, MemberListDto } from './dto/member.dto';
import { MembersService } from './members.service';

@ApiTags('members')
@Controller('v1/members')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('keyway:members:write')
  @RequireLiveKey()
  @ApiOperation({ summary: 'Add a member with a role no greater than your own' })
  @ApiResponse({ status: 201, type: MemberDto })
  @ManagementRoute(409, 422)
  create(
    @Body() body: CreateMemberDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.members.add(
      principal.workspaceId,
      body.email,
      body.role,
      eventContext(principal, request),
      principal,
    );
  }

  @Get()
  @RequireScopes('keyway:members:write', 'keyway:keys:read', 'keyway:audit:read')
  @ApiOperation({ summary: "List the workspace's members" })
  @ApiResponse({ status: 200, type: MemberListDto })
  @ManagementRoute()
  list(@CurrentPrincipal() principal: Principal) {
    return this.members.list(principal.workspaceId);
  }

  @Get(':id')
  @RequireScopes('keyway:members:write', 'keyway:keys:read', 'keyway:audit:read')
  @ApiOperation({ summary: 'Get a member' })
  @ApiResponse({ status: 200, type: MemberDto })
  @ManagementRoute(404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.members.get(principal.workspaceId, id);
  }
}
