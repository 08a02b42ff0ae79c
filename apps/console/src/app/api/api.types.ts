// Response shapes of the CSM's REST API (docs/architecture.md, "REST API"). Times are ms since the epoch.

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: number;
}

/** Verdict actions as named by the policy and `moat scan`; `unspecified` for an event that carried none. */
export const ACTIONS = ['deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'hold', 'discard', 'unspecified'] as const;
export type Action = (typeof ACTIONS)[number];

/** `unspecified` for a transaction refused before its direction was known (at connect, say). */
export const DIRECTIONS = ['inbound', 'outbound', 'unspecified'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface ServiceHealth {
  ok: boolean;
  detail: string;
}

export interface NodeResources {
  cpuPercent: number;
  rssBytes: number;
  spoolMessages: number;
  spoolBytes: number;
  journalEvents: number;
  activeConnections: number;
}

export interface NodeStatus {
  id: string;
  name: string;
  smtpAddress: string;
  /** The node's Prometheus endpoint; "" until the node reported one. */
  metricsUrl: string;
  up: boolean;
  lastHeartbeatMs: number;
  policyVersion: number;
  softwareVersion: string;
  engineVersions: Record<string, string>;
  /** Absent until the node's first heartbeat. */
  resources?: NodeResources;
  /** The DNS servers the node's checks ask; absent until a heartbeat reports them. */
  resolver?: ResolverInfo;
}

export interface ResolverInfo {
  /** `configured`: the policy's dns.servers; `system`: none configured, the machine's (/etc/resolv.conf). */
  source: 'configured' | 'system';
  servers: string[];
  /** Set when sender authentication runs on the system resolver; "" otherwise. */
  warning: string;
}

export interface ClusterStatus {
  policyVersion: number;
  nats: ServiceHealth;
  clickhouse: ServiceHealth;
  nodes: NodeStatus[];
}

export interface DirectionActionCount {
  direction: Direction;
  action: Action;
  count: number;
}

export interface DailyCount extends DirectionActionCount {
  /** Calendar day, `YYYY-MM-DD`. */
  day: string;
}

export interface Stats {
  total: number;
  byDirectionAction: DirectionActionCount[];
  daily: DailyCount[];
}

/** Error body the CSM sends with 4xx answers. */
export interface ApiErrorBody {
  error: string;
  problems?: string[];
}
