import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FleetService, type NodeStatus } from '../services/fleet.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, NodeStatusDto } from './dto.js';
import { Allow } from './permissions.js';

/** Scan nodes: revocation of a node's identity (its gRPC client certificate). Status is in GET /api/status. */
@ApiTags('nodes')
@ApiBearerAuth()
@Controller('nodes')
export class NodesController {
  constructor(private readonly fleet: FleetService) {}

  @Post(':id/revoke')
  @Allow('policy:write')
  @HttpCode(200)
  @ApiOkResponse({ type: NodeStatusDto, description: 'the node, revoked: its certificate is refused on the gRPC port and its open streams end (audited)' })
  @ApiResponse({ status: 404, type: ErrorDto })
  revoke(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<NodeStatus> {
    return this.fleet.revoke(id, adminOf(request));
  }
}
