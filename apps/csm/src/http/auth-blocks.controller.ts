import { Body, Controller, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthBlocksService, type AuthBlockView } from '../services/auth-blocks.service.js';
import { AuthBlockDto, AuthBlocksDto, NewAuthBlockDto } from './auth-blocks.dto.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto } from './dto.js';
import { Allow } from './permissions.js';

/** AUTH brute-force blocks (F6, docs/architecture.md "AUTH blocks"): the fleet's blocked client addresses. */
@ApiTags('auth-blocks')
@ApiBearerAuth()
@Controller('auth-blocks')
export class AuthBlocksController {
  constructor(private readonly blocks: AuthBlocksService) {}

  @Get()
  @Allow('authblocks:read')
  @ApiOkResponse({ type: AuthBlocksDto, description: 'active blocks first, then those expired or removed in the last 30 days' })
  async list(): Promise<{ blocks: AuthBlockView[] }> {
    return { blocks: await this.blocks.list() };
  }

  @Post()
  @Allow('authblocks:write')
  @ApiOkResponse({ type: AuthBlockDto, description: 'the address is refused AUTH on every node from now on; audited auth-blocks.add' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'not an address, a bad period or reason' })
  add(@Body() body: NewAuthBlockDto, @Req() request: AuthenticatedRequest): Promise<AuthBlockView> {
    return this.blocks.add(body, adminOf(request));
  }

  @Delete(':ip')
  @Allow('authblocks:write')
  @ApiOkResponse({ type: AuthBlockDto, description: 'unblocked at once on every node, its failures so far forgotten; audited auth-blocks.remove' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'not an address' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'the address is not blocked' })
  remove(@Param('ip') ip: string, @Req() request: AuthenticatedRequest): Promise<AuthBlockView> {
    return this.blocks.remove(ip, adminOf(request));
  }
}
