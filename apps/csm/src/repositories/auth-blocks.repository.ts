import type { AuthBlock } from '@moat/bus';

/** The fleet's AUTH blocks (moat_auth_blocks), which the nodes consult on every AUTH. */
export abstract class AuthBlocksRepository {
  /** Every stored block (active, expired and removed), damaged records left out. */
  abstract list(): Promise<AuthBlock[]>;
  /**
   * Writes NEXT(the stored block of IP) with compare-and-set (a node may write at the same moment), and gives what
   * was written; NEXT gives undefined when there is nothing to write.
   */
  abstract change<T extends AuthBlock | undefined>(ip: string, next: (old: AuthBlock | undefined) => T): Promise<T>;
  /** Forgets IP's record altogether (old expired auto blocks). */
  abstract forget(ip: string): Promise<void>;
}
