import type { SiemDestination } from '../csm-config.js';

/** An open connection to a syslog receiver. */
export interface SyslogConnection {
  /** Writes BYTES; resolves once they are handed to the operating system (not a receipt), rejects when the connection fails. */
  write(bytes: Buffer): Promise<void>;
  /** Resolves with the reason when the connection ends or fails. */
  readonly closed: Promise<string>;
  /** Ends the connection after everything written (FIN); true when it closed cleanly within TIMEOUTMS. */
  end(timeoutMs: number): Promise<boolean>;
  destroy(): void;
}

/** Connections to SIEM syslog receivers (TCP, or TLS with the destination's CA). */
export abstract class SyslogSenderRepository {
  /** Connects (and for TLS, verifies the receiver's certificate); rejects within TIMEOUTMS when it cannot. */
  abstract connect(destination: SiemDestination, timeoutMs: number): Promise<SyslogConnection>;
}
