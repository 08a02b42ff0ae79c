import { Injectable, Logger } from '@nestjs/common';
import type { ControlCommand, ControlReply, ReportMessage, ForwardMessage } from '@moat/proto/grpc';
import { randomUUID } from 'node:crypto';
import { UnavailableError } from '../util/errors.js';

/** How long the CSM waits for a node to answer a command. */
export const COMMAND_TIMEOUT_MS = 15_000;

/** The sending half of one node's Control stream. */
export interface ControlChannel {
  send(command: ControlCommand): void;
}

interface Pending {
  nodeId: string;
  resolve(reply: ControlReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Commands to connected nodes over their Control streams, each matched to its reply by a correlation id. */
@Injectable()
export class ControlService {
  private readonly logger = new Logger('control');
  private readonly channels = new Map<string, ControlChannel>();
  private readonly pending = new Map<string, Pending>();

  /** Registers a node's stream (replacing an older one); returns the function to call when the stream ends. */
  attach(nodeId: string, channel: ControlChannel): () => void {
    this.channels.set(nodeId, channel);
    this.logger.log(`node ${nodeId} control stream open`);
    return () => {
      if (this.channels.get(nodeId) !== channel) return;
      this.channels.delete(nodeId);
      this.logger.log(`node ${nodeId} control stream closed`);
      for (const [id, p] of this.pending) if (p.nodeId === nodeId) this.settle(id)?.reject(new UnavailableError(`node ${nodeId} disconnected before answering`));
    };
  }

  connected(nodeId: string): boolean {
    return this.channels.has(nodeId);
  }

  connectedNodes(): string[] {
    return [...this.channels.keys()];
  }

  /** Takes a node's reply; replies to unknown or timed-out commands are ignored. */
  onReply(nodeId: string, reply: ControlReply): void {
    const p = this.pending.get(reply.commandId);
    if (p && p.nodeId === nodeId) this.settle(reply.commandId)?.resolve(reply);
  }

  /** Asks NODEID to release a quarantined message to RECIPIENTS (empty: all) and waits for its answer. */
  release(nodeId: string, messageId: string, recipients: string[] = [], timeoutMs = COMMAND_TIMEOUT_MS): Promise<ControlReply> {
    return this.send(nodeId, { $case: 'release', value: { messageId, recipients } }, timeoutMs);
  }

  /** Asks NODEID to deliver FORWARD (a kept message's body) to its address and waits for its answer. */
  forward(nodeId: string, forward: ForwardMessage, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ControlReply> {
    return this.send(nodeId, { $case: 'forward', value: forward }, timeoutMs);
  }

  /** Asks NODEID to learn a reported message into a copy of the base model (and deny spam's checksums); waits for its answer. */
  report(nodeId: string, report: ReportMessage, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ControlReply> {
    return this.send(nodeId, { $case: 'report', value: report }, timeoutMs);
  }

  /** Asks NODEID to end DOMAIN's open delivery hold window and deliver its held mail; waits for its answer. */
  releaseHold(nodeId: string, domain: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ControlReply> {
    return this.send(nodeId, { $case: 'releaseHold', value: { domain } }, timeoutMs);
  }

  /** Asks NODEID to tell a held message's sender that an approver rejected it (with REASON); waits for its answer. */
  reject(nodeId: string, messageId: string, reason: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<ControlReply> {
    return this.send(nodeId, { $case: 'reject', value: { messageId, reason } }, timeoutMs);
  }

  private send(nodeId: string, command: ControlCommand['command'], timeoutMs: number): Promise<ControlReply> {
    const channel = this.channels.get(nodeId);
    if (!channel) return Promise.reject(new UnavailableError(`node ${nodeId} is not connected`));
    const commandId = randomUUID();
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(commandId)?.reject(new UnavailableError(`node ${nodeId} did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(commandId, { nodeId, resolve, reject, timer });
      try {
        channel.send({ commandId, command });
      } catch (err) {
        this.settle(commandId)?.reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private settle(commandId: string): Pending | undefined {
    const p = this.pending.get(commandId);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(commandId);
    return p;
  }
}
