import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { authBlockActive, type AuthBlock } from '@moat/bus';
import { AuthBlocksRepository } from '../repositories/auth-blocks.repository.js';
import { InvalidInputError, NotFoundError } from '../util/errors.js';
import { AuditService } from './audit.service.js';

/** An expired or removed block is kept this long for its history, then forgotten when the list is read. */
const KEEP_EXPIRED_MS = 30 * 86_400_000;
/** The longest a manual block may last when it is not permanent (ten years). */
const MAX_BLOCK_SECONDS = 10 * 365 * 86_400;
const MAX_REASON = 200;

export interface AuthBlockView extends AuthBlock {
  /** Whether nodes refuse AUTH from the address now. */
  active: boolean;
}

/**
 * AUTH brute-force blocks (F6): the nodes block an address whose failed AUTH reach the policy's threshold; an
 * administrator lists the blocks, adds one (for a period or permanent) and removes one. A write is seen by every
 * node on its next AUTH from the address (they read moat_auth_blocks each time). Adds and removals are audited.
 */
@Injectable()
export class AuthBlocksService {
  constructor(
    private readonly blocks: AuthBlocksRepository,
    private readonly audit: AuditService,
  ) {}

  /** Active blocks first (latest last seen first), then the expired and removed ones of the last 30 days. */
  async list(now = Date.now()): Promise<AuthBlockView[]> {
    const views: AuthBlockView[] = [];
    for (const block of await this.blocks.list()) {
      const active = authBlockActive(block, now);
      if (!active && block.expiresAtMs < now - KEEP_EXPIRED_MS) await this.blocks.forget(block.ip);
      else views.push({ ...block, active });
    }
    return views.sort((a, b) => Number(b.active) - Number(a.active) || b.lastSeenMs - a.lastSeenMs);
  }

  /** Blocks IP now on every node, for FORSECONDS (absent: permanent); audited `auth-blocks.add`. */
  async add(input: unknown, admin: string, now = Date.now()): Promise<AuthBlockView> {
    const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const { ip, forSeconds, reason } = body;
    const problems: string[] = [];
    if (typeof ip !== 'string' || isIP(ip) === 0) problems.push(`ip: must be an IPv4 or IPv6 address${typeof ip === 'string' ? `, got "${ip.slice(0, 60)}"` : ''}`);
    if (forSeconds !== undefined && (typeof forSeconds !== 'number' || !Number.isInteger(forSeconds) || forSeconds < 1 || forSeconds > MAX_BLOCK_SECONDS)) problems.push(`forSeconds: must be an integer from 1 to ${MAX_BLOCK_SECONDS} (absent: permanent)`);
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON)) problems.push(`reason: must be a text of at most ${MAX_REASON} characters`);
    if (problems.length > 0 || typeof ip !== 'string') throw new InvalidInputError(problems.join('; '), problems);
    const seconds = typeof forSeconds === 'number' ? forSeconds : undefined;
    const why = typeof reason === 'string' && reason.trim() !== '' ? `: ${reason.trim()}` : '';
    const rule = `manual by ${admin}${why}`;
    const block = await this.blocks.change(ip, (old): AuthBlock => ({
      ip,
      firstSeenMs: old?.firstSeenMs ?? now,
      lastSeenMs: old?.lastSeenMs ?? now,
      expiresAtMs: seconds === undefined ? 0 : now + seconds * 1000,
      failures: old?.failures ?? 0,
      blocks: (old?.blocks ?? 0) + (old && authBlockActive(old, now) ? 0 : 1),
      source: 'manual',
      rule,
      country: old?.country ?? '',
      epoch: old?.epoch ?? 0,
    }));
    await this.audit.recordQuietly({ admin, action: 'auth-blocks.add', target: ip, detail: `${seconds === undefined ? 'permanent' : `for ${seconds} s`}${why}`, ok: true });
    return { ...block, active: true };
  }

  /** Unblocks IP at once on every node and forgets its failures so far (a new epoch); audited `auth-blocks.remove`. */
  async remove(ipParam: string, admin: string, now = Date.now()): Promise<AuthBlockView> {
    const ip = ipParam.trim();
    if (isIP(ip) === 0) throw new InvalidInputError(`"${ip.slice(0, 60)}" is not an IPv4 or IPv6 address`);
    const block = await this.blocks.change(ip, (old) => (old && authBlockActive(old, now) ? { ...old, expiresAtMs: now, epoch: old.epoch + 1 } : undefined));
    if (!block) throw new NotFoundError(`${ip} is not blocked`);
    await this.audit.recordQuietly({ admin, action: 'auth-blocks.remove', target: ip, detail: `was ${block.source}: ${block.rule}`, ok: true });
    return { ...block, active: false };
  }
}
