import { Body, Controller, Get, HttpCode, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import {
  CreatedWorkspaceDto,
  CreateWorkspaceDto,
  UpdateWorkspaceDto,
  WorkspaceDto,
} from './dto/workspace.dto';
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

  @Post('workspaces')
  @HttpCode(201)
  @RequireScopes('keyway:platform:admin')
  @ApiOperation({
    summary: 'Create a workspace with its owner and the owner key (platform admins)',
  })
  @ApiResponse({ status: 201, type: CreatedWorkspaceDto })
  @ManagementRoute(409, 422)
  create(
    @Body() body: CreateWorkspaceDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.workspaces.create(
      { name: body.name, prefix: body.prefix, ownerEmail: body.owner.email },
      eventContext(principal, request),
    );
  }
}
