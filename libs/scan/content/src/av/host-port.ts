/** Where a network engine listens (same shape as @moat/pipeline's HostPort, which the node parses). */
export interface HostPort {
  host: string;
  port: number;
}
