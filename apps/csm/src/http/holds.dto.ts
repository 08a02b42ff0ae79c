import { ApiProperty } from '@nestjs/swagger';

export class HeldQueueOnNodeDto {
  @ApiProperty() nodeId!: string;
  @ApiProperty() nodeName!: string;
  @ApiProperty({ description: 'whether the node is heartbeating (a down node reports its last known queue)' }) up!: boolean;
  @ApiProperty() messages!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: '0 when none is held' }) oldestReceivedAtMs!: number;
  @ApiProperty({ description: 'end of the open window by the node\'s clock; 0 when none is open' }) releaseAtMs!: number;
}

export class HeldDomainDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ description: 'held messages summed across nodes' }) messages!: number;
  @ApiProperty({ description: 'their size in bytes' }) bytes!: number;
  @ApiProperty({ description: '0 when none is held' }) oldestReceivedAtMs!: number;
  @ApiProperty({ description: 'when the open window ends and the held mail goes (latest over the nodes); 0 when none is open' }) releaseAtMs!: number;
  @ApiProperty({ description: 'start of the next window by the CSM\'s clock; 0 when there is none' }) nextHoldAtMs!: number;
  @ApiProperty({ type: [HeldQueueOnNodeDto] }) nodes!: HeldQueueOnNodeDto[];
}

export class HoldsDto {
  @ApiProperty({ type: [HeldDomainDto] }) domains!: HeldDomainDto[];
}

export class HoldReleaseNodeDto {
  @ApiProperty() nodeId!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty() detail!: string;
}

export class HoldReleaseResultDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ type: [HoldReleaseNodeDto], description: 'each connected node\'s answer' }) nodes!: HoldReleaseNodeDto[];
}
