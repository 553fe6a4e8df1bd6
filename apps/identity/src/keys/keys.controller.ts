import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { ManagementRoute } from '../http/api-docs';
import { eventContext } from '../http/event-context';
import { durationMs } from '@keyway/contracts';
import {
  CreateKeyDto,
  KeyEventListDto,
  KeyListDto,
  KeyResourceDto,
  KeyWithSecretDto,
  ListKeysQueryDto,
  RevokeKeyDto,
  RotateKeyDto,
  UpdateKeyDto,
} from './dto/key.dto';
import { DeleteKey } from './delete-key';
import { IssueKey } from './issue-key';
import { KeyQueries } from './key-queries';
import { RevokeKey } from './revoke-key';
import { RotateKey } from './rotate-key';
import { UpdateKey } from './update-key';

const IDEMPOTENCY_HEADER = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key and body within 24 h: the same response, one change.',
});

@ApiTags('keys')
@Controller('v1/keys')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class KeysController {
  constructor(
    private readonly issueKey: IssueKey,
    private readonly updateKey: UpdateKey,
    private readonly rotateKey: RotateKey,
    private readonly revokeKey: RevokeKey,
    private readonly deleteKey: DeleteKey,
    private readonly queries: KeyQueries,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('keyway:keys:write')
  @ApiOperation({ summary: 'Issue a key; the secret is in this response only' })
  @ApiResponse({ status: 201, type: KeyWithSecretDto })
  @IDEMPOTENCY_HEADER
  @ManagementRoute(404, 409, 422)
  async create(
    @Body() body: CreateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const { key, resource } = await this.issueKey.execute(
      principal.workspaceId,
      body,
      eventContext(principal, request),
      principal,
    );
    return { key, ...resource };
  }

  @Get()
  @RequireScopes('keyway:keys:read')
  @ApiOperation({ summary: 'List keys, newest first (cursor pagination)' })
  @ApiResponse({ status: 200, type: KeyListDto })
  @ManagementRoute()
  list(@Query() query: ListKeysQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.queries.list(principal.workspaceId, query);
  }

  @Get(':id')
  @RequireScopes('keyway:keys:read')
  @ApiOperation({ summary: 'Get a key' })
  @ApiResponse({ status: 200, type: KeyResourceDto })
  @ManagementRoute(404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.get(principal.workspaceId, id);
  }

  @Get(':id/events')
  @RequireScopes('keyway:keys:read')
  @ApiOperation({ summary: "The key's own event history, in sequence order" })
  @ApiResponse({ status: 200, type: KeyEventListDto })
  @ManagementRoute(404)
  async events(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return { data: await this.queries.events(principal.workspaceId, id) };
  }

  @Patch(':id')
  @RequireScopes('keyway:keys:write')
  @ApiOperation({ summary: "Change a key's settings" })
  @ApiResponse({ status: 200, type: KeyResourceDto })
  @ManagementRoute(404, 409)
  update(
    @Param('id') id: string,
    @Body() body: UpdateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.updateKey.execute(principal, id, body, eventContext(principal, request));
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @RequireScopes('keyway:keys:write')
  @ApiOperation({ summary: 'New secret; the old one works for the grace period' })
  @ApiResponse({ status: 200, type: KeyWithSecretDto })
  @IDEMPOTENCY_HEADER
  @ManagementRoute(404, 409, 422)
  async rotate(
    @Param('id') id: string,
    @Body() body: RotateKeyDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const grace = durationMs(body.gracePeriod) ?? 0;
    const { key, resource } = await this.rotateKey.execute(
      principal,
      id,
      grace,
      eventContext(principal, request),
    );
    return { key, ...resource };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  // No route scope: anyone may revoke their own key; revoking another's needs keyway:keys:write,
  // checked by the use case.
  @ApiOperation({
    summary: 'Revoke a key (and any previous secret) now',
    description:
      "Anyone may revoke their own key (the calling key, or a key of the calling member). Revoking another's needs `keyway:keys:write` and at least the rights that key has now.",
  })
  @ApiResponse({ status: 200, type: KeyResourceDto })
  @IDEMPOTENCY_HEADER
  @ManagementRoute(404, 409, 422)
  revoke(
    @Param('id') id: string,
    @Body() body: RevokeKeyDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    return this.revokeKey.execute(
      principal,
      id,
      body.reason ?? null,
      eventContext(principal, request),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('keyway:keys:write')
  @ApiOperation({ summary: 'Delete a key; its events stay in the history' })
  @ApiResponse({ status: 204 })
  @ManagementRoute(404)
  async delete(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    await this.deleteKey.execute(principal, id, eventContext(principal, request));
  }
}
