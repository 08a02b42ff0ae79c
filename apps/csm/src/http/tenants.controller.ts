import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TenantsService, type TenantView } from '../services/tenants.service.js';
import { principalOf, type AuthenticatedRequest } from './auth.guard.js';
import { ErrorDto, NewTenantDto, TenantListDto, TenantViewDto } from './dto.js';
import { Allow } from './permissions.js';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Allow('tenants:manage')
  @Get()
  @ApiOkResponse({ type: TenantListDto })
  async list(): Promise<{ tenants: TenantView[] }> {
    return { tenants: await this.tenants.list() };
  }

  @Allow('tenants:manage')
  @Post()
  @ApiCreatedResponse({ type: TenantViewDto, description: 'the tenant with its first policy version' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'the id is taken, or a domain belongs to another tenant' })
  add(@Body() body: NewTenantDto, @Req() request: AuthenticatedRequest): Promise<TenantView> {
    return this.tenants.add(principalOf(request), body);
  }

  @Allow('tenants:manage')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the tenant is removed (with its administrators when forced)' })
  @ApiQuery({ name: 'force', required: false, type: String, description: 'true: also when it has domains or administrators (they are removed with it)' })
  @ApiResponse({ status: 404, type: ErrorDto })
  @ApiResponse({ status: 409, type: ErrorDto, description: 'tenant default, or it still has domains or administrators (problems names them)' })
  async remove(@Param('id') id: string, @Query('force') force: string | undefined, @Req() request: AuthenticatedRequest): Promise<void> {
    await this.tenants.remove(principalOf(request), id, force === 'true');
  }
}
