import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClassifierService, type ReportResult } from '../services/classifier.service.js';
import { MailActionsService, type BulkAction, type BulkResult } from '../services/mail-actions.service.js';
import { MailService, type MailPage, type MailView, type ReleaseResult } from '../services/mail.service.js';
import { MessageBodyService } from '../services/message-body.service.js';
import type { MessageView } from '../util/message-view.js';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS } from '../util/table-export.js';
import { ApiFileResponse } from './api-responses.js';
import { adminOf, principalOf, type AuthenticatedRequest } from './auth.guard.js';
import { BulkActionDto, BulkResultDto, ErrorDto, MailAndConditionDto, MailDetailDto, MailFieldConditionDto, MailListDto, MailOrConditionDto, MailSearchDto, MessageViewDto, ReleaseResultDto, ReportDto, ReportResultDto } from './dto.js';
import { Allow, assertMay, BULK_ACTION_PERMISSIONS } from './permissions.js';

/** The query parameters of GET /api/mail, which the export takes too. */
const MAIL_SEARCH_QUERIES = applyDecorators(
  ApiQuery({ name: 'sender', required: false, type: String, description: 'part of the envelope sender' }),
  ApiQuery({ name: 'rcpt', required: false, type: String, description: 'part of any envelope recipient' }),
  ApiQuery({ name: 'subject', required: false, type: String, description: 'part of the subject' }),
  ApiQuery({ name: 'body', required: false, type: String, description: "words in the start of the message's text (16 KiB; not stored under retention none)" }),
  ApiQuery({ name: 'verdict', required: false, type: String, description: 'action: deliver, tag, quarantine, reject, tempfail, hold, discard' }),
  ApiQuery({ name: 'ip', required: false, type: String, description: 'client IP, or its start (192.0.2.)' }),
  ApiQuery({ name: 'direction', required: false, type: String, description: 'inbound or outbound' }),
  ApiQuery({ name: 'attachment', required: false, type: String, description: 'part of an attachment name' }),
  ApiQuery({ name: 'symbol', required: false, type: String, description: 'a symbol that fired (AV_VIRUS)' }),
  ApiQuery({ name: 'node', required: false, type: String, description: 'node name or id' }),
  ApiQuery({ name: 'delivery', required: false, type: String, description: 'delivery state the message was received with (queued, quarantined, ...)' }),
  ApiQuery({ name: 'category', required: false, type: String, description: 'dashboard category: normal, spam, virus, ransomware, personal-data, rejected' }),
  ApiQuery({ name: 'virus', required: false, type: String, description: 'a malware name an antivirus engine gave (Eicar-Test-Signature)' }),
  ApiQuery({ name: 'match', required: false, type: String, description: 'all (default): every given field matches; any: at least one' }),
  ApiQuery({ name: 'from', required: false, type: String, description: 'ISO-8601 or epoch ms' }),
  ApiQuery({ name: 'to', required: false, type: String, description: 'ISO-8601 or epoch ms (exclusive)' }),
  ApiQuery({ name: 'limit', required: false, type: String, description: '1-10000, default 100' }),
  ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' }),
);

@ApiTags('mail')
@ApiBearerAuth()
@Controller('mail')
export class MailController {
  constructor(
    private readonly mail: MailService,
    private readonly classifier: ClassifierService,
    private readonly actionsService: MailActionsService,
    private readonly bodies: MessageBodyService,
  ) {}

  @Allow('mail:read')
  @Get()
  @MAIL_SEARCH_QUERIES
  @ApiOkResponse({ type: MailListDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  search(@Query() query: Record<string, unknown>): Promise<MailPage> {
    return this.mail.searchByParams(query);
  }

  @Allow('mail:read')
  @Post('search')
  @HttpCode(200)
  @ApiExtraModels(MailFieldConditionDto, MailAndConditionDto, MailOrConditionDto)
  @ApiOkResponse({ type: MailListDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid condition, time, limit or cursor; problems name each' })
  searchTree(@Body() body: MailSearchDto): Promise<MailPage> {
    return this.mail.search(body ?? {});
  }

  @Allow('mail:read')
  @Get('export')
  @MAIL_SEARCH_QUERIES
  @ApiQuery({ name: 'format', required: false, enum: EXPORT_FORMATS, description: 'csv (default) or xlsx' })
  @ApiFileResponse('every message the search (same parameters as GET /api/mail) matches, all pages; audited', ...Object.values(EXPORT_CONTENT_TYPES))
  @ApiBadRequestResponse({ type: ErrorDto, description: 'invalid search, or more than 100000 messages match' })
  async export(@Query() query: Record<string, unknown>, @Req() request: AuthenticatedRequest): Promise<StreamableFile> {
    const file = await this.mail.export(query, adminOf(request));
    return new StreamableFile(file.bytes, { type: EXPORT_CONTENT_TYPES[file.format], disposition: `attachment; filename="moat-mail.${file.format}"` });
  }

  @Allow('mail:release')
  @Post('actions')
  @HttpCode(200)
  @ApiOkResponse({ type: BulkResultDto, description: 'one result per message; the action goes on after a message that cannot take it' })
  @ApiBadRequestResponse({ type: ErrorDto })
  actions(@Body() body: BulkActionDto, @Req() request: AuthenticatedRequest): Promise<BulkResult> {
    // Each action needs its own permission; an unknown action is the service's 400.
    const action = body?.action;
    if (typeof action === 'string' && Object.hasOwn(BULK_ACTION_PERMISSIONS, action)) assertMay(principalOf(request).role, BULK_ACTION_PERMISSIONS[action as BulkAction]);
    return this.actionsService.run(body, adminOf(request));
  }

  @Allow('mail:read')
  @Get(':id')
  @ApiOkResponse({ type: MailDetailDto })
  @ApiResponse({ status: 404, type: ErrorDto })
  get(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<MailView> {
    return this.mail.view(id, adminOf(request));
  }

  @Allow('mail:read')
  @Get(':id/body')
  @ApiFileResponse("the message as received (.eml, with the node's trace headers); audited mail.body", 'message/rfc822')
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such message, or its body is not kept (retention policy) or past its retention' })
  async body(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<StreamableFile> {
    const raw = await this.bodies.download(id, adminOf(request));
    return new StreamableFile(raw, { type: 'message/rfc822', disposition: `attachment; filename="${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml"` });
  }

  @Allow('mail:read')
  @Get(':id/body/view')
  @ApiOkResponse({ type: MessageViewDto, description: 'the kept message read into its parts as text (the HTML part as its source, never rendered); audited mail.body' })
  @ApiResponse({ status: 404, type: ErrorDto, description: 'no such message, or its body is not kept or past its retention' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the body cannot be read as a message (limits, damage)' })
  viewBody(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<MessageView> {
    return this.bodies.view(id, adminOf(request));
  }

  @Allow('mail:release')
  @Post(':id/release')
  @HttpCode(200)
  @ApiOkResponse({ type: ReleaseResultDto, description: 'ok false when the node refused, failed or did not answer in time' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'not quarantined, or already released' })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no scan node is connected' })
  release(@Param('id') id: string, @Req() request: AuthenticatedRequest): Promise<ReleaseResult> {
    return this.mail.release(id, adminOf(request));
  }

  @Allow('mail:report')
  @Post(':id/report')
  @HttpCode(200)
  @ApiOkResponse({ type: ReportResultDto, description: 'learned by a node into a new model version, current in a new policy version; spam also feeds the fuzzy deny list' })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the body is not kept (delivered or refused mail): use POST /api/classifier/learn' })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no scan node is connected' })
  report(@Param('id') id: string, @Body() body: ReportDto, @Req() request: AuthenticatedRequest): Promise<ReportResult> {
    return this.classifier.report(id, body, adminOf(request));
  }
}
