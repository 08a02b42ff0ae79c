import type { ControlCommand } from '@moat/proto/grpc';
import type { CsmLink } from './csm-link.js';
import { handleControlCommand, type ControlActions } from './control-handler.js';
import { ReconnectingCall, type StreamingCall } from './reconnecting-call.js';

/** Keeps the Control stream open: says hello, runs each command from the CSM and answers it. */
export class ControlStream extends ReconnectingCall {
  protected readonly name = 'control stream';

  constructor(private readonly actions: ControlActions) {
    super();
  }

  protected open(link: CsmLink): StreamingCall {
    const call = link.client.control(link.metadata());
    call.write({ kind: { $case: 'hello', value: { nodeId: link.identity?.nodeId ?? '' } } });
    call.on('data', (command: ControlCommand) => {
      this.received();
      void handleControlCommand(command, this.actions).then((reply) => {
        if (!reply.ok) link.log.warn(`control command ${command.command?.$case ?? 'unknown'} ${command.commandId} failed: ${reply.error}`);
        if (this.isCurrent(call)) call.write({ kind: { $case: 'reply', value: reply } });
      });
    });
    return call;
  }
}
