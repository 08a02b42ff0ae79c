import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from './auth.guard.js';
import { HealthDto } from './dto.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  /** Liveness: the CSM answers HTTP. Dependencies are reported by /api/status. */
  @Public()
  @Get()
  @ApiOkResponse({ type: HealthDto })
  health(): HealthDto {
    return { ok: true };
  }
}
