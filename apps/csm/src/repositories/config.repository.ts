import type { HeldDomain, NodeResources, ResolverInfo } from '@moat/proto/grpc';
import type { PasswordHash } from '@moat/credentials';
import type { AuditEntry } from './event-store.repository.js';

/** One stored policy version: the document as nodes receive it (PolicyDocument on the wire). */
export interface PolicyVersionRecord {
  version: number;
  /** The validated policy with defaults filled, as JSON text. */
  json: string;
  sha256: string;
  createdAtMs: number;
  author: string;
  comment: string;
}

/** Administrator roles (F22); what each may do is the table in http/permissions.ts. */
export const ROLES = ['super-admin', 'tenant-admin', 'approver', 'auditor', 'end-user'] as const;
export type Role = (typeof ROLES)[number];

/** The tenant every fleet has (and every record written before tenants existed belongs to); it cannot be removed. */
export const DEFAULT_TENANT = 'default';

/** A tenant (F18) in the registry: its domains, policy versions, accounts and administrators are its own. */
export interface TenantRecord {
  id: string;
  name: string;
  createdAtMs: number;
}

/** A tenant's current policy version changed (from any CSM replica). */
export interface PolicyPointer {
  tenant: string;
  version: number;
}

/** A TOTP second factor: the base32 secret, in effect once a code from it was confirmed. Never returned by the API. */
export interface TotpFactor {
  secret: string;
  confirmed: boolean;
}

export interface AdminRecord {
  username: string;
  password: PasswordHash;
  role: Role;
  tenant: string;
  /** Set for a generated password: the account's sessions may only change it (and log out) until it is changed. */
  mustChangePassword: boolean;
  totp?: TotpFactor;
  /**
   * Set for an administrator made by the directory sync (a group mapped to its role): it logs in by a bind as this
   * DN at its tenant's directory, `password` is a random hash nobody knows, and the sync takes the account away
   * when the user leaves the group.
   */
  directory?: { dn: string };
  createdAtMs: number;
  updatedAtMs: number;
}

/**
 * An admin record as stored, with the fields added for roles filled in for records written before them (only the
 * bootstrap administrator existed then, and it is a super admin).
 */
export function withRoleDefaults(stored: Omit<AdminRecord, 'role' | 'tenant' | 'mustChangePassword'> & Partial<AdminRecord>): AdminRecord {
  return { ...stored, role: stored.role ?? 'super-admin', tenant: stored.tenant ?? DEFAULT_TENANT, mustChangePassword: stored.mustChangePassword ?? false };
}

/** An enrolled scan node and what its last heartbeat reported. */
export interface NodeRecord {
  id: string;
  name: string;
  /** SHA-256 of the node secret (util/secrets.ts hashMachineSecret). */
  secretHash: string;
  enrolledAtMs: number;
  smtpAddress: string;
  /** The node's Prometheus endpoint from its heartbeat; absent in records written before nodes reported it. */
  metricsUrl?: string;
  softwareVersion: string;
  policyVersion: number;
  lastHeartbeatMs: number;
  startedAtMs: number;
  resources: NodeResources | undefined;
  engineVersions: Record<string, string>;
  /** The DNS servers the node's checks ask; absent before the first heartbeat that reports them. */
  resolver?: ResolverInfo;
  /** Mail the node holds by delivery hold windows (F9), per domain, from its last heartbeat. */
  held?: HeldDomain[];
  /** Serial number (hex) of the TLS client certificate issued at the node's last enrolment; no other is accepted. */
  certificateSerial?: string;
  /** Set when an administrator revoked the node: its certificate is refused and it may not enrol again. */
  revokedAtMs?: number;
}

/** A domain's TLS certificate as nodes serve it by SNI, and/or a request waiting for its signed certificate. */
export interface CertificateRecord {
  domain: string;
  /** What nodes serve: the key (sealed with the CSM's SecretBox, the domain as context), the certificate and its chain (PEM). */
  active?: { keyType: string; key: string; certificate: string; chain: string };
  /** A key made with a CSR (sealed), kept until the certificate for it is uploaded (the active one is served meanwhile). */
  pending?: { keyType: string; key: string; csr: string; createdAtMs: number };
  updatedAtMs: number;
}

/** Config of record (JetStream KV bucket moat_config): policy versions, administrators, enrolled nodes, the audit chain's head, certificates. */
export abstract class ConfigRepository {
  /** TENANT's current policy version number, undefined when it never stored a policy. */
  abstract currentPolicyVersion(tenant: string): Promise<number | undefined>;
  abstract getPolicyVersion(tenant: string, version: number): Promise<PolicyVersionRecord | undefined>;
  /** Stores a new version of TENANT's policy and makes it current; ConflictError when that version number is taken. */
  abstract createPolicyVersion(tenant: string, record: PolicyVersionRecord): Promise<void>;
  abstract listPolicyVersions(tenant: string): Promise<PolicyVersionRecord[]>;
  /** Drops every policy version of TENANT (its removal). */
  abstract deletePolicies(tenant: string): Promise<void>;
  /** Yields every tenant's current version now and after every change, from any CSM replica, until SIGNAL aborts. */
  abstract watchCurrentPolicy(signal: AbortSignal): AsyncIterable<PolicyPointer>;

  /** The tenants other than DEFAULT_TENANT (which always exists and has no record). */
  abstract listTenants(): Promise<TenantRecord[]>;
  /** Stores a tenant only if none with that id exists; false when one already did. */
  abstract createTenant(record: TenantRecord): Promise<boolean>;
  /** Removes a tenant's record; false when there was none. */
  abstract deleteTenant(id: string): Promise<boolean>;

  abstract getAdmin(username: string): Promise<AdminRecord | undefined>;
  /** Stores an administrator only if none with that name exists; false when one already did. */
  abstract createAdmin(record: AdminRecord): Promise<boolean>;
  abstract putAdmin(record: AdminRecord): Promise<void>;
  abstract listAdmins(): Promise<AdminRecord[]>;
  /** Removes an administrator; false when there was none of that name. */
  abstract deleteAdmin(username: string): Promise<boolean>;

  /** The last entry of the audit chain and its revision (for putAuditHead); undefined before the first. */
  abstract getAuditHead(): Promise<{ entry: AuditEntry; revision: number } | undefined>;
  /**
   * Makes ENTRY the head if the head is still at REVISION (undefined: there is none yet); false when another
   * writer (CSM replica) moved it first. This compare-and-set gives every replica's entries one order.
   */
  abstract putAuditHead(entry: AuditEntry, revision: number | undefined): Promise<boolean>;

  abstract listNodes(): Promise<NodeRecord[]>;
  abstract putNode(record: NodeRecord): Promise<void>;

  /** The export log position a SIEM destination has confirmed (0: none yet). */
  abstract getExportPosition(destination: string): Promise<number>;
  abstract putExportPosition(destination: string, seq: number): Promise<void>;

  abstract listCertificates(): Promise<CertificateRecord[]>;
  abstract getCertificate(domain: string): Promise<CertificateRecord | undefined>;
  abstract putCertificate(record: CertificateRecord): Promise<void>;
  abstract deleteCertificate(domain: string): Promise<void>;
  /** Yields now and after every certificate change, from any CSM replica, until SIGNAL aborts. */
  abstract watchCertificates(signal: AbortSignal): AsyncIterable<void>;
}
