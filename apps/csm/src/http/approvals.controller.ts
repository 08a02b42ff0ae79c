import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApprovalsService, type ApprovalDecision, type PendingApproval } from '../services/approvals.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ApprovalDecisionDto, ApprovalRejectDto, ErrorDto, PendingApprovalsDto } from './dto.js';
import { Allow } from './permissions.js';

/** Outbound approval (F7, docs/architecture.md "Outbound approval"): held outbound mail, approve or reject. */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @Allow('approvals:read')
  @ApiOkResponse({ type: PendingApprovalsDto, description: 'held outbound mail awaiting a decision, newest first (the rows of GET /api/mail, each with `reasons`: the approval rules and DLP findings that held it)' })
  async list(): Promise<{ messages: PendingApproval[] }> {
    return { messages: await this.approvals.listWithReasons() };
  }

  @Post(':id/approve')
  @Allow('approvals:decide')
  @HttpCode(200)
  @ApiOkResponse({ type: ApprovalDecisionDto, description: 'decision approved: released for delivery; audited approvals.approve' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'not held outbound mail, or already decided' })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no node connected, or the release failed' })
  approve(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<ApprovalDecision> {
    return this.approvals.approve(id, adminOf(request));
  }

  @Post(':id/reject')
  @Allow('approvals:decide')
  @HttpCode(200)
  @ApiOkResponse({ type: ApprovalDecisionDto, description: 'decision rejected: the sender is sent a notice with the reason, the body deleted; audited approvals.reject' })
  @ApiResponse({ status: 400, type: ErrorDto, description: 'reason not a string of at most 500 characters' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'not held outbound mail, or already decided' })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no node connected, or the node could not send the notice' })
  reject(@Param('id') id: string, @Body() body: ApprovalRejectDto, @Req() request: AuthenticatedRequest): Promise<ApprovalDecision> {
    return this.approvals.reject(id, body, adminOf(request));
  }
}
