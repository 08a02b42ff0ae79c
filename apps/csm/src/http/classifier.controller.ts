import { Body, Controller, Get, HttpCode, Param, Post, Req, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClassifierService, type ClassifierStatus, type ModelChange, type ReportResult } from '../services/classifier.service.js';
import { ApiFileResponse } from './api-responses.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { ClassifierStatusDto, ErrorDto, LearnDto, ModelChangeDto, ModelUploadDto, ReportResultDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('classifier')
@ApiBearerAuth()
@Controller('classifier')
export class ClassifierController {
  constructor(private readonly classifier: ClassifierService) {}

  @Allow('policy:read')
  @Get()
  @ApiOkResponse({ type: ClassifierStatusDto })
  status(): Promise<ClassifierStatus> {
    return this.classifier.status();
  }

  @Allow('policy:read')
  @Get('models/:version')
  @ApiFileResponse('the model file; version "current" is the one nodes use', 'application/octet-stream')
  @ApiResponse({ status: 404, type: ErrorDto })
  async model(@Param('version') version: string): Promise<StreamableFile> {
    const model = await this.classifier.model(version);
    return new StreamableFile(model.bytes, { type: 'application/octet-stream', disposition: `attachment; filename="${model.version}.model"` });
  }

  @Allow('policy:write')
  @Post('models')
  @ApiOkResponse({ type: ModelChangeDto, description: 'the model is stored and current in this new policy version' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'not a classifier model, or damaged' })
  upload(@Body() body: ModelUploadDto, @Req() request: AuthenticatedRequest): Promise<ModelChange> {
    return this.classifier.upload(body, adminOf(request));
  }

  @Allow('policy:write')
  @Post('learn')
  @HttpCode(200)
  @ApiOkResponse({ type: ReportResultDto, description: 'ok false when the node failed or did not answer in time' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiResponse({ status: 503, type: ErrorDto, description: 'no scan node is connected' })
  learn(@Body() body: LearnDto, @Req() request: AuthenticatedRequest): Promise<ReportResult> {
    return this.classifier.learn(body, adminOf(request));
  }
}
