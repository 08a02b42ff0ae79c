import { ApiProperty } from '@nestjs/swagger';

export class AccountBlockDto {
  @ApiProperty() address!: string;
  @ApiProperty({ enum: ['none', 'throttle', 'hold'], description: 'throttle: 451 4.7.1 until untilMs; hold: its mail held for approval until cleared' }) state!: string;
  @ApiProperty({ description: 'whether nodes throttle or hold the account now' }) active!: boolean;
  @ApiProperty({ enum: ['volume', 'new-domains', 'spam-score'], description: 'the sign that tripped last' }) sign!: string;
  @ApiProperty({ description: 'what the sign found' }) detail!: string;
  @ApiProperty() sinceMs!: number;
  @ApiProperty({ description: 'when a throttle ends; 0 for a hold' }) untilMs!: number;
  @ApiProperty({ description: 'how many times a sign tripped on the account' }) trips!: number;
  @ApiProperty({ description: 'the usual messages an hour (exponentially weighted)' }) baseline!: number;
}

export class AccountBlocksDto {
  @ApiProperty({ type: [AccountBlockDto] }) accounts!: AccountBlockDto[];
}
