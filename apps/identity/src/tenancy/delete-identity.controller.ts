import { Controller, Delete, HttpCode, Param, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { IdentityPathParamsDto } from '../identities/dto/identity.dto';
import { DeleteIdentity } from './delete-identity';

@ApiTags('identities')
@Controller('v1/identities')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class DeleteIdentityController {
  constructor(private readonly deleteIdentity: DeleteIdentity) {}

  @Delete(':externalId')
  @HttpCode(204)
  @RequireScopes('keyway:identities:write')
  @RequireLiveKey()
  @ApiOperation({ summary: 'Delete an identity and revoke the keys it owns' })
  @ApiParam({ name: 'externalId', description: "The product's id for the owner." })
  @ApiResponse({ status: 204 })
  @ManagementRoute(404)
  async delete(
    @Param() params: IdentityPathParamsDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    await this.deleteIdentity.execute(
      principal.workspaceId,
      params.externalId,
      eventContext(principal, request),
    );
  }
}
