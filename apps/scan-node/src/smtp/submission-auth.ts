import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword, type PasswordHash } from '@moat/credentials';
import { authBlockActive } from '@moat/bus';
import type { WindowCounters } from '@moat/fleet-state';
import { errorText, type Logger } from '../log.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { AddressState, AuthBlockList } from './auth-blocks.js';
import type { DirectoryBinder } from './directory-bind.js';
import type { CountryLookup } from './geo-countries.js';

/** What AUTH answers: the user it authenticated, or the refusal. */
export type AuthOutcome = { ok: true; user: string } | { ok: false; code: number; message: string };

/** How long a verified (user, password, hash) stays verified, so that scrypt is not redone for every message. */
const VERIFIED_TTL_MS = 5 * 60_000;
const MAX_VERIFIED = 10_000;
/** scrypt checks at once: the libuv pool is shared with file and DNS work. */
const MAX_CHECKS_IN_FLIGHT = 4;

const INVALID: AuthOutcome = { ok: false, code: 535, message: '5.7.8 Error: authentication credentials invalid' };
const BLOCKED: AuthOutcome = { ok: false, code: 454, message: '4.7.0 Error: too many failed authentications from your address, try again later' };
const FOREIGN: AuthOutcome = { ok: false, code: 535, message: '5.7.1 Error: authentication is not permitted from your country' };
const BUSY: AuthOutcome = { ok: false, code: 454, message: '4.7.0 Error: temporary authentication failure, try again later' };
const DIRECTORY_DOWN: AuthOutcome = { ok: false, code: 454, message: '4.7.0 Error: the directory cannot check the password now, try again later' };

/**
 * SMTP AUTH for submission: the password is checked against the account's scrypt hash from the policy
 * (made by the CSM; nodes never see a password otherwise). Failures are counted fleet-wide per client address
 * and per account (fleet-state windowed counters, both in the warn line of each failure); the failure that
 * reaches `outbound.authFailures.perIp` in the window blocks the address for `blockSeconds` (AuthBlockList,
 * shared by the fleet, where the CSM also adds and removes blocks): a blocked address gets 454 on every node
 * without a password check. Failures per account block nothing, so nobody can lock an owner out of its own
 * account. Address counters are per block epoch: a removed block forgets the failures before it. With
 * `outbound.authCountries`, AUTH from an address of another country (GeoCountries) is refused with 535 5.7.1
 * before the password check, except from `outbound.trustedNetworks`. Successful checks are remembered for five minutes
 * under a digest of user, password and hash, so a client sending many messages costs one scrypt; a new hash
 * (password changed) misses that memory at once. Unknown users cost a check against a dummy hash, so timing
 * does not tell which accounts exist. While the fleet state is unreachable, AUTH still works, uncounted.
 * Accounts the directory sync wrote carry a `bindDn` instead of a hash: their password is checked by a bind as
 * that DN at `outbound.directory` (DirectoryBinder), with the same memory, limits and failure counting; a
 * directory that cannot answer gets 454 (the client retries) and counts no failure.
 */
export class SubmissionAuth {
  private readonly verified = new Map<string, number>();
  private dummyHash: Promise<PasswordHash> | undefined;
  private inFlight = 0;

  constructor(
    private readonly policies: PolicyStore,
    private readonly counters: WindowCounters,
    private readonly blocks: AuthBlockList,
    private readonly countries: CountryLookup,
    private readonly log: Logger,
    private readonly directory: DirectoryBinder,
  ) {}

  async authenticate(clientIp: string, username: string, password: string): Promise<AuthOutcome> {
    const { outbound } = this.policies.current.compiled;
    const limits = outbound.settings.authFailures;
    const user = username.trim().toLowerCase();
    const address = await this.addressState(clientIp);
    if (address.block && authBlockActive(address.block, Date.now())) {
      await this.blocks.seen(address.block, Date.now()).catch((err: unknown) => this.log.warn(`AUTH block of ${clientIp} not updated: ${errorText(err)}`));
      return BLOCKED;
    }
    if (outbound.settings.authCountries.length > 0 && !outbound.trustedNetworks.has(clientIp)) {
      const country = await this.countryOf(clientIp);
      if (country !== '' && !outbound.settings.authCountries.includes(country)) {
        this.log.warn(`AUTH refused for ${JSON.stringify(user.slice(0, 320))} from ${clientIp}: country ${country} is not in outbound.authCountries`);
        return FOREIGN;
      }
    }
    // The account and its directory are its domain's tenant's (F18); AUTH limits and countries are the fleet's (tenant default's).
    const tenantOutbound = this.policies.forAddress(user).compiled.outbound;
    const account = tenantOutbound.accounts.get(user);
    const directory = tenantOutbound.settings.directory;
    const bindDn = directory ? account?.bindDn : undefined;
    const stored = bindDn === undefined ? account?.passwordHash : undefined;
    const secret = bindDn !== undefined ? `bind\0${directory?.url ?? ''}\0${bindDn}` : stored ? `${stored.salt}\0${stored.hash}` : undefined;
    const key = secret !== undefined ? createHash('sha256').update(`${user}\0${password}\0${secret}`).digest('base64') : '';
    const until = secret !== undefined ? this.verified.get(key) : undefined;
    if (until !== undefined && until > Date.now()) return { ok: true, user };
    if (this.inFlight >= MAX_CHECKS_IN_FLIGHT) return BUSY;
    this.inFlight++;
    let good: boolean;
    try {
      if (directory && bindDn !== undefined) good = await this.directory.verify(directory, bindDn, password);
      else {
        good = await verifyPassword(password, stored ?? (await (this.dummyHash ??= hashPassword(randomBytes(16).toString('hex')))));
        good &&= stored !== undefined;
      }
    } catch (err) {
      if (bindDn === undefined) throw err;
      this.log.warn(`AUTH of ${JSON.stringify(user.slice(0, 320))} from ${clientIp}: the directory did not answer: ${errorText(err)}`);
      return DIRECTORY_DOWN;
    } finally {
      this.inFlight--;
    }
    if (good) {
      this.remember(key);
      return { ok: true, user };
    }
    const [fromIp, forUser] = await Promise.all([this.failures(`authfail ip ${clientIp} epoch ${address.epoch}`, limits.windowSeconds, 1), this.failures(`authfail user ${user}`, limits.windowSeconds, 1)]);
    this.log.warn(`AUTH failed for ${JSON.stringify(user.slice(0, 320))} from ${clientIp}: ${fromIp} failures from this address, ${forUser} for this account in ${limits.windowSeconds} s`);
    if (fromIp >= limits.perIp) {
      const rule = `outbound.authFailures: ${limits.perIp} failures in ${limits.windowSeconds} s`;
      try {
        const block = await this.blocks.trip(clientIp, fromIp, rule, limits.blockSeconds * 1000, await this.countryOf(clientIp), Date.now());
        this.log.warn(`AUTH from ${clientIp} blocked on every node until ${new Date(block.expiresAtMs).toISOString()} (${rule})`);
      } catch (err) {
        this.log.warn(`AUTH block of ${clientIp} not written: ${errorText(err)}`);
      }
    }
    return INVALID;
  }

  /** The address's country; '' when it has none or the data cannot be read. */
  private async countryOf(clientIp: string): Promise<string> {
    try {
      return await this.countries.country(clientIp);
    } catch (err) {
      this.log.warn(`no country for ${clientIp}: ${errorText(err)}`);
      return '';
    }
  }

  /** The address's block and failure epoch; none while the fleet state cannot answer (AUTH then works, uncounted). */
  private async addressState(clientIp: string): Promise<AddressState> {
    try {
      return await this.blocks.state(clientIp);
    } catch (err) {
      this.log.warn(`AUTH blocks not read: ${errorText(err)}`);
      return { block: undefined, epoch: 0 };
    }
  }

  /** Adds AMOUNT (0: only reads) to a failure counter and gives its fleet-wide total; 0 when the fleet state cannot answer. */
  private async failures(key: string, windowSeconds: number, amount: number): Promise<number> {
    try {
      return await this.counters.hit(key, windowSeconds, amount);
    } catch (err) {
      this.log.warn(`AUTH failures not counted: ${errorText(err)}`);
      return 0;
    }
  }

  private remember(key: string): void {
    if (this.verified.size >= MAX_VERIFIED) {
      const now = Date.now();
      for (const [k, until] of this.verified) if (until <= now) this.verified.delete(k);
      if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    }
    this.verified.set(key, Date.now() + VERIFIED_TTL_MS);
  }
}
