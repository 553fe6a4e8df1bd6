import { Controller, Delete, HttpCode, Param, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { RemoveMember } from './remove-member';

@ApiTags('members')
@Controller('v1/members')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class RemoveMemberController {
  constructor(private readonly removeMember: RemoveMember) {}

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('keyway:members:write')
  @RequireLiveKey()
  @ApiOperation({
    summary: 'Remove a member and revoke the keys it owns',
    // The id it had in MembersController: generated clients keep their method names.
    operationId: 'MembersController_remove',
  })
  @ApiResponse({ status: 204 })
  @ManagementRoute(404, 409)
  async remove(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    await this.removeMember.execute(principal, id, eventContext(principal, request));
  }
}
