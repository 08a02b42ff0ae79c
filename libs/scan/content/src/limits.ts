/** Bounds on the MIME walk: past any of them the walk stops there with MIME_LIMIT (never a crash or a hang). */
export interface MimeLimits {
  /** Bytes of the whole message. */
  maxMessageBytes: number;
  /** Parts (leaves and containers) in one message, message/rfc822 children included. */
  maxParts: number;
  /** Nesting of multiparts and message/rfc822. */
  maxDepth: number;
  /** Header fields in one header block. */
  maxHeaderFields: number;
  /** Bytes of one header block. */
  maxHeaderBytes: number;
  /** Bytes of one line in a header block (unfolded field). */
  maxHeaderLineBytes: number;
}

/** Bounds on archive expansion: past any of them the container ends in ARCHIVE_BOMB or ARCHIVE_DEPTH. */
export interface ArchiveLimits {
  /** Containers inside containers (an archive in a zip in the message is depth 2). */
  maxDepth: number;
  /** Members across every archive of one message. */
  maxEntries: number;
  /** Decompressed bytes across every archive of one message. */
  maxTotalBytes: number;
  /** Decompressed bytes of one member. */
  maxEntryBytes: number;
  /** Decompressed / compressed size of one member (checked once a member is larger than 1 MiB). */
  maxRatio: number;
  /** Passwords from the message body tried on an encrypted archive. */
  maxPasswordAttempts: number;
  /** Wall time of one external extractor run (7zz). */
  extractorTimeoutMs: number;
}

export const DEFAULT_MIME_LIMITS: Readonly<MimeLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024 * 1024,
  maxParts: 1000,
  maxDepth: 30,
  maxHeaderFields: 1000,
  maxHeaderBytes: 256 * 1024,
  maxHeaderLineBytes: 64 * 1024,
});

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxDepth: 3,
  maxEntries: 2000,
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntryBytes: 64 * 1024 * 1024,
  maxRatio: 200,
  maxPasswordAttempts: 10,
  extractorTimeoutMs: 20_000,
});
