import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DkimGenerateDto {
  @ApiPropertyOptional({ description: 'one DNS label; default rsa-YYYYMMDD or ed-YYYYMMDD' }) selector?: string;
  @ApiPropertyOptional({ enum: ['rsa', 'ed25519'], description: 'RSA 2048 (default) or Ed25519' }) algorithm?: string;
  @ApiPropertyOptional({ description: 'sign the domain\'s mail with it at once (default true)' }) active?: boolean;
}

export class DkimActivateDto {
  @ApiProperty({ description: 'the selector that signs from now on' }) selector!: string;
}

export class DkimKeyViewDto {
  @ApiProperty() selector!: string;
  @ApiProperty({ enum: ['rsa', 'ed25519'] }) algorithm!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty({ description: '<selector>._domainkey.<domain>' }) dnsName!: string;
  @ApiProperty({ description: 'the TXT value to publish' }) dnsValue!: string;
  @ApiProperty({ type: [String], description: 'the value in character-strings of at most 255 octets' }) dnsStrings!: string[];
}

export class DkimDomainViewDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ type: [DkimKeyViewDto] }) keys!: DkimKeyViewDto[];
}

export class DnsRecordCheckDto {
  @ApiProperty({ enum: ['dkim', 'spf', 'dmarc'] }) kind!: string;
  @ApiProperty({ description: 'owner name of the TXT record' }) name!: string;
  @ApiProperty({ description: 'what to publish' }) expected!: string;
  @ApiProperty({ type: [String], description: 'the relevant TXT records found' }) found!: string[];
  @ApiProperty({ enum: ['ok', 'missing', 'mismatch', 'warning'] }) status!: string;
  @ApiProperty({ description: 'the outcome in one sentence' }) message!: string;
}

export class DkimDnsCheckDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ type: [DnsRecordCheckDto] }) records!: DnsRecordCheckDto[];
}
