import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuthBlockDto {
  @ApiProperty() ip!: string;
  @ApiProperty() firstSeenMs!: number;
  @ApiProperty({ description: 'the last failure or refused AUTH from the address' }) lastSeenMs!: number;
  @ApiProperty({ description: 'when the block ends; 0: permanent; a removed block: its removal time' }) expiresAtMs!: number;
  @ApiProperty({ description: 'failed AUTH counted against the address over all its blocks' }) failures!: number;
  @ApiProperty({ description: 'how many times it was blocked' }) blocks!: number;
  @ApiProperty({ enum: ['auto', 'manual'] }) source!: string;
  @ApiProperty({ description: 'the policy rule (auto) or the administrator and reason (manual)' }) rule!: string;
  @ApiProperty({ description: "ISO 3166 country; '' when unknown" }) country!: string;
  @ApiProperty({ description: 'removals so far (failures before the last removal no longer count)' }) epoch!: number;
  @ApiProperty({ description: 'whether nodes refuse AUTH from the address now' }) active!: boolean;
}

export class AuthBlocksDto {
  @ApiProperty({ type: [AuthBlockDto] }) blocks!: AuthBlockDto[];
}

export class NewAuthBlockDto {
  @ApiProperty({ description: 'IPv4 or IPv6 address' }) ip!: string;
  @ApiPropertyOptional({ description: 'how long (seconds); absent: permanent' }) forSeconds?: number;
  @ApiPropertyOptional({ description: 'shown in the rule column and the audit log (at most 200 characters)' }) reason?: string;
}
