import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DirectoryAttributesDto {
  @ApiProperty({ description: 'login name of administrators (uid, sAMAccountName)' }) login!: string;
  @ApiProperty({ description: 'the primary address (mail)' }) mail!: string;
  @ApiProperty({ type: [String], description: 'alias attributes (mailAlternateAddress, proxyAddresses); extra mail values are aliases too' }) aliases!: string[];
  @ApiProperty({ description: 'display name (cn, displayName)' }) displayName!: string;
}

export class DirectoryGroupRoleDto {
  @ApiProperty({ description: 'the group name (its name attribute, e.g. cn=moat-approvers -> moat-approvers)' }) group!: string;
  @ApiProperty({ enum: ['tenant-admin', 'approver', 'auditor', 'end-user'] }) role!: string;
}

export class DirectorySettingsDto {
  @ApiPropertyOptional({ enum: ['openldap', 'active-directory'], description: 'fills the filters and attribute names not given (default openldap)' }) preset?: string;
  @ApiProperty({ description: 'ldap://host[:port] or ldaps://host[:port]' }) url!: string;
  @ApiPropertyOptional({ description: 'StartTLS on an ldap:// connection' }) startTls?: boolean;
  @ApiPropertyOptional({ description: 'PEM CA certificate(s) for the server' }) ca?: string;
  @ApiProperty() bindDn!: string;
  @ApiPropertyOptional({ description: 'the service account password (sealed at rest; required the first time, kept when absent)' }) bindPassword?: string;
  @ApiProperty() baseDn!: string;
  @ApiPropertyOptional() userFilter?: string;
  @ApiPropertyOptional({ type: DirectoryAttributesDto }) attributes?: DirectoryAttributesDto;
  @ApiPropertyOptional({ description: 'default baseDn' }) groupBaseDn?: string;
  @ApiPropertyOptional() groupFilter?: string;
  @ApiPropertyOptional() groupNameAttribute?: string;
  @ApiPropertyOptional() groupMemberAttribute?: string;
  @ApiPropertyOptional({ type: [DirectoryGroupRoleDto] }) groupRoles?: DirectoryGroupRoleDto[];
  @ApiPropertyOptional({ description: 'minutes between scheduled syncs; 0 (default): on demand only' }) scheduleMinutes?: number;
}

export class DirectorySettingsViewDto {
  @ApiProperty() tenant!: string;
  @ApiProperty({ enum: ['openldap', 'active-directory'] }) preset!: string;
  @ApiProperty() url!: string;
  @ApiProperty() startTls!: boolean;
  @ApiPropertyOptional() ca?: string;
  @ApiProperty() bindDn!: string;
  @ApiProperty({ description: 'a bind password is stored (it is never returned)' }) hasBindPassword!: boolean;
  @ApiProperty() baseDn!: string;
  @ApiProperty() userFilter!: string;
  @ApiProperty({ type: DirectoryAttributesDto }) attributes!: DirectoryAttributesDto;
  @ApiProperty() groupBaseDn!: string;
  @ApiProperty() groupFilter!: string;
  @ApiProperty() groupNameAttribute!: string;
  @ApiProperty() groupMemberAttribute!: string;
  @ApiProperty({ type: [DirectoryGroupRoleDto] }) groupRoles!: DirectoryGroupRoleDto[];
  @ApiProperty() scheduleMinutes!: number;
  @ApiProperty() updatedAtMs!: number;
}

export class DirectoryAccountDto {
  @ApiProperty() address!: string;
  @ApiProperty({ type: [String] }) aliases!: string[];
  @ApiProperty() displayName!: string;
  @ApiProperty() dn!: string;
  @ApiProperty() login!: string;
}

export class DirectoryChangeDto {
  @ApiProperty() address!: string;
  @ApiProperty({ type: [String] }) changes!: string[];
}

export class DirectoryGroupDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String] }) members!: string[];
  @ApiProperty({ enum: ['add', 'change', 'remove', 'same'] }) change!: string;
}

export class DirectoryRoleChangeDto {
  @ApiProperty() username!: string;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty({ enum: ['grant', 'change', 'revoke'] }) change!: string;
}

export class DirectorySyncReportDto {
  @ApiProperty() atMs!: number;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'who asked: an administrator, or schedule' }) author!: string;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'the policy version in effect after the sync' }) policyVersion?: number;
  @ApiProperty({ type: [DirectoryAccountDto] }) added!: DirectoryAccountDto[];
  @ApiProperty({ type: [DirectoryChangeDto] }) changed!: DirectoryChangeDto[];
  @ApiProperty({ type: [DirectoryAccountDto] }) removed!: DirectoryAccountDto[];
  @ApiProperty({ type: [DirectoryGroupDto] }) groups!: DirectoryGroupDto[];
  @ApiProperty({ type: [DirectoryRoleChangeDto] }) roles!: DirectoryRoleChangeDto[];
  @ApiProperty({ type: [String] }) skipped!: string[];
}

/** The filters and attribute names one preset fills in. */
export class DirectoryPresetDto {
  @ApiProperty() userFilter!: string;
  @ApiProperty({ type: DirectoryAttributesDto }) attributes!: DirectoryAttributesDto;
  @ApiProperty() groupFilter!: string;
  @ApiProperty() groupNameAttribute!: string;
  @ApiProperty() groupMemberAttribute!: string;
}

export class DirectoryPresetsDto {
  @ApiProperty({ type: DirectoryPresetDto }) openldap!: DirectoryPresetDto;
  @ApiProperty({ type: DirectoryPresetDto, name: 'active-directory' }) activeDirectory!: DirectoryPresetDto;
}

export class DirectoryViewDto {
  @ApiProperty({ type: DirectorySettingsViewDto, nullable: true }) settings!: DirectorySettingsViewDto | null;
  @ApiProperty({ type: DirectoryPresetsDto, description: 'filters and attribute names of each preset' }) presets!: DirectoryPresetsDto;
  @ApiProperty({ type: DirectorySyncReportDto, nullable: true }) lastSync!: DirectorySyncReportDto | null;
}

export class DirectorySyncDto {
  @ApiPropertyOptional({ description: 'report what would change, change nothing' }) dryRun?: boolean;
}
