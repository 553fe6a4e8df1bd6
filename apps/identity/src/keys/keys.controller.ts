import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { BearerAuthGuard } from '../auth/bearer-auth.guard';
import { type Principal } from '../auth/principal';
import { CurrentPrincipal, RequireScopes, ScopesGuard } from '../auth/scopes.guard';
import { eventContext } from '../http/event-context';
import { ZodBody } from '../http/zod-body.pipe';
import { CreateKeyRequest, type CreateKeyCommand } from './dto/create-key.request';
import { IssueKey } from './issue-key';

@Controller('v1/keys')
@UseGuards(BearerAuthGuard, ScopesGuard)
export class KeysController {
  constructor(private readonly issueKey: IssueKey) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('keyway:keys:write')
  async create(
    @Body(new ZodBody(CreateKeyRequest)) body: CreateKeyCommand,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ) {
    const { key, resource } = await this.issueKey.execute(
      principal.workspaceId,
      body,
      eventContext(principal, request),
    );
    return { key, ...resource };
  }
}
