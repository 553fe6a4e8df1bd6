import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { CreatedWorkspaceDto, CreateWorkspaceDto } from '../workspaces/dto/workspace.dto';
import { CreateWorkspace } from './create-workspace';

@ApiTags('workspace')
@Controller('v1/workspaces')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class CreateWorkspaceController {
  constructor(private readonly createWorkspace: CreateWorkspace) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('keyway:platform:admin')
  @ApiOperation({
    summary: 'Create a workspace with its owner and the owner key (platform admins)',
    // The id it had in WorkspacesController: generated clients keep their method names.
    operationId: 'WorkspacesController_create',
  })
  @ApiResponse({ status: 201, type: CreatedWorkspaceDto })
  @ManagementRoute(409, 422)
  create(
    @Body() body: CreateWorkspaceDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.createWorkspace.execute(
      { name: body.name, prefix: body.prefix, ownerEmail: body.owner.email },
      eventContext(principal, request),
    );
  }
}
