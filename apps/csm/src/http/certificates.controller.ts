import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CertificateService, type CertificateView } from '../services/certificate.service.js';
import { ApiFileResponse } from './api-responses.js';
import { PolicyService } from '../services/policy.service.js';
import { adminOf, type AuthenticatedRequest } from './auth.guard.js';
import { Allow } from './permissions.js';
import { CertificateImportDto, CertificateUploadDto, CertificateViewDto, CsrRequestDto, CsrResultDto, ErrorDto } from './dto.js';

/** Per-domain certificates the scan nodes serve by SNI (docs/architecture.md, "TLS"). Keys never leave in a response. */
@ApiTags('certificates')
@ApiBearerAuth()
@Controller('certificates')
export class CertificatesController {
  constructor(
    private readonly certificates: CertificateService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @Allow('policy:read')
  @ApiOkResponse({ type: [CertificateViewDto] })
  async list(): Promise<CertificateView[]> {
    // A tenant's caller gets its own domains' certificates.
    return this.policy.owned(await this.certificates.list());
  }

  @Post('csr')
  @Allow('policy:write')
  @HttpCode(200)
  @ApiOkResponse({ type: CsrResultDto, description: 'the CSR (PEM); its key is kept encrypted until the certificate is uploaded' })
  @ApiBadRequestResponse({ type: ErrorDto })
  createCsr(@Body() body: CsrRequestDto, @Req() request: AuthenticatedRequest): Promise<CsrResultDto> {
    return this.certificates.createCsr(body, adminOf(request));
  }

  @Get(':domain/csr')
  @Allow('policy:read')
  @ApiFileResponse('the CSR waiting for its certificate, as a PEM file', 'application/pkcs10')
  @ApiResponse({ status: 404, type: ErrorDto })
  async csr(@Param('domain') domain: string): Promise<StreamableFile> {
    const pem = await this.certificates.csr(domain);
    return new StreamableFile(Buffer.from(pem), { type: 'application/pkcs10', disposition: `attachment; filename="${domain.replace('*', '_')}.csr"` });
  }

  @Put(':domain')
  @Allow('policy:write')
  @ApiOkResponse({ type: CertificateViewDto, description: 'validated against the kept key and served by every node without restart' })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'why the certificate or chain cannot be served (key mismatch, name, expiry, chain)' })
  upload(@Param('domain') domain: string, @Body() body: CertificateUploadDto, @Req() request: AuthenticatedRequest): Promise<CertificateView> {
    return this.certificates.upload(domain, body, adminOf(request));
  }

  @Post(':domain/import')
  @Allow('policy:write')
  @HttpCode(200)
  @ApiOkResponse({ type: CertificateViewDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  importCertificate(@Param('domain') domain: string, @Body() body: CertificateImportDto, @Req() request: AuthenticatedRequest): Promise<CertificateView> {
    return this.certificates.importCertificate(domain, body, adminOf(request));
  }

  @Delete(':domain')
  @Allow('policy:write')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'removed; nodes stop serving it' })
  @ApiResponse({ status: 404, type: ErrorDto })
  async remove(@Param('domain') domain: string, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.certificates.remove(domain, adminOf(request));
  }
}
