import type { AccountSigns } from '@moat/bus';

/** The fleet's compromised-account records (moat_account_signs), which the nodes read on every outbound message. */
export abstract class AccountSignsRepository {
  /** Every stored record, damaged ones left out. */
  abstract list(): Promise<AccountSigns[]>;
  /**
   * Writes NEXT(the stored record of ADDRESS) with compare-and-set (a node may write at the same moment), and gives
   * what was written; NEXT gives undefined when there is nothing to write (nor is there when no record is stored).
   */
  abstract change(address: string, next: (old: AccountSigns) => AccountSigns | undefined): Promise<AccountSigns | undefined>;
}
