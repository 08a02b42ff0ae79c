import { Logger } from '@nestjs/common';
import type { ControlCommand } from '@moat/proto/grpc';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../util/errors.js';
import { ControlService } from './control.service.js';

Logger.overrideLogger(false);

describe('ControlService', () => {
  it('sends a release and resolves with the reply that carries its correlation id', async () => {
    const control = new ControlService();
    const sent: ControlCommand[] = [];
    control.attach('n1', { send: (c) => sent.push(c) });
    const result = control.release('n1', 'msg-1');
    control.onReply('n1', { commandId: 'someone-else', ok: false, error: 'x', detail: '', modelVersion: '' });
    control.onReply('n1', { commandId: sent[0]!.commandId, ok: true, error: '', detail: 'queued', modelVersion: '' });
    await expect(result).resolves.toMatchObject({ ok: true, detail: 'queued' });
    expect(sent[0]!.command).toEqual({ $case: 'release', value: { messageId: 'msg-1', recipients: [] } });
  });

  it('fails when the node is not connected, does not answer in time, or disconnects first', async () => {
    const control = new ControlService();
    await expect(control.release('n1', 'm')).rejects.toBeInstanceOf(UnavailableError);
    const detach = control.attach('n1', { send: () => undefined });
    await expect(control.release('n1', 'm', [], 10)).rejects.toThrow('did not answer');
    const pending = control.release('n1', 'm');
    detach();
    await expect(pending).rejects.toThrow('disconnected');
    expect(control.connectedNodes()).toEqual([]);
  });

  it('keeps the newer stream when an older one of the same node closes', () => {
    const control = new ControlService();
    const detachOld = control.attach('n1', { send: () => undefined });
    control.attach('n1', { send: () => undefined });
    detachOld();
    expect(control.connected('n1')).toBe(true);
  });
});
