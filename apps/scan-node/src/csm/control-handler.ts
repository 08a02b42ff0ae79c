import type { ControlCommand, ControlReply, ForwardMessage, ReportMessage } from '@moat/proto/grpc';
import type { ReportOutcome } from '../classifier/report-message.js';
import { errorText } from '../log.js';

/** What the node can do on the CSM's command. */
export interface ControlActions {
  release(messageId: string, recipients: readonly string[]): Promise<string>;
  report(report: ReportMessage): Promise<ReportOutcome>;
  /** Ends a domain's open delivery hold window and delivers its held mail. */
  releaseHold(domain: string): Promise<string>;
  forward(forward: ForwardMessage): Promise<string>;
  /** Tells a held message's sender that an approver rejected it. */
  reject(messageId: string, reason: string): Promise<string>;
}

/** Runs one control command and builds its reply; a failure is a reply with ok=false, never an exception. */
export async function handleControlCommand(command: ControlCommand, actions: ControlActions): Promise<ControlReply> {
  const reply = (ok: boolean, detail: string, error = '', modelVersion = ''): ControlReply => ({ commandId: command.commandId, ok, error, detail, modelVersion });
  try {
    switch (command.command?.$case) {
      case 'release':
        return reply(true, await actions.release(command.command.value.messageId, command.command.value.recipients));
      case 'report': {
        const outcome = await actions.report(command.command.value);
        return reply(true, outcome.detail, '', outcome.modelVersion);
      }
      case 'releaseHold':
        return reply(true, await actions.releaseHold(command.command.value.domain));
      case 'forward':
        return reply(true, await actions.forward(command.command.value));
      case 'reject':
        return reply(true, await actions.reject(command.command.value.messageId, command.command.value.reason));
      case 'ping':
        return reply(true, 'pong');
      default:
        return reply(false, '', 'unknown command');
    }
  } catch (err) {
    return reply(false, '', errorText(err));
  }
}
