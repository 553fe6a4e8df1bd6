import { Body, Controller, Get, Patch, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireLiveKey, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { UpdateWorkspaceDto, WorkspaceDto } from './dto/workspace.dto';
import { WorkspacesService } from './workspaces.service';

@ApiTags('workspace')
@Controller('v1')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Get('workspace')
  @RequireScopes(
    'keyway:keys:read',
    'keyway:members:write',
    'keyway:identities:write',
    'keyway:audit:read',
    'keyway:workspace:admin',
  )
  @ApiOperation({ summary: "The caller's workspace" })
  @ApiResponse({ status: 200, type: WorkspaceDto })
  @ManagementRoute()
  get(@CurrentPrincipal() principal: Principal) {
    return this.workspaces.get(principal.workspaceId);
  }

  @Patch('workspace')
  @RequireScopes('keyway:workspace:admin')
  @RequireLiveKey()
  @ApiOperation({ summary: "Change the workspace's name, key prefix or default rate limits" })
  @ApiResponse({ status: 200, type: WorkspaceDto })
  @ManagementRoute(409)
  update(
    @Body() body: UpdateWorkspaceDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.workspaces.update(principal, body, eventContext(principal, request));
  }
}
