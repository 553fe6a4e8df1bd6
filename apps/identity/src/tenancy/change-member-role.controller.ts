import { Body, Controller, Param, Patch, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { MemberDto, UpdateMemberDto } from '../members/dto/member.dto';
import { ChangeMemberRole } from './change-member-role';

@ApiTags('members')
@Controller('v1/members')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class ChangeMemberRoleController {
  constructor(private readonly changeMemberRole: ChangeMemberRole) {}

  @Patch(':id')
  @RequireScopes('keyway:members:write')
  @RequireLiveKey()
  @ApiOperation({
    summary: "Change a member's role; its keys follow at once",
    // The id it had in MembersController: generated clients keep their method names.
    operationId: 'MembersController_update',
  })
  @ApiResponse({ status: 200, type: MemberDto })
  @ManagementRoute(404, 409)
  update(
    @Param('id') id: string,
    @Body() body: UpdateMemberDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.changeMemberRole.execute(
      principal,
      id,
      body.role,
      eventContext(principal, request),
    );
  }
}
