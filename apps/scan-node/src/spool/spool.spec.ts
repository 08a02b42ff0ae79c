import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../ids.js';
import { Spool, type SpoolMeta } from './spool.js';

const meta = (id = newMessageId()): SpoolMeta => ({
  id,
  receivedAtMs: Date.now(),
  mailFrom: 'a@remote.test',
  rcptTo: ['alice@example.test'],
  clientIp: '192.0.2.1',
  helo: 'mx.remote.test',
  action: 'deliver',
  score: 0,
  policyVersion: 1,
});

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('recovers every stored message with its delivery state after a restart', async () => {
    const spool = await Spool.open(dir);
    const first = await spool.put(meta(), [Buffer.from('X-Trace: 1\r\n'), Buffer.from('Subject: one\r\n\r\nbody\r\n')]);
    const second = await spool.put(meta(), [Buffer.from('Subject: two\r\n\r\nbody\r\n')]);
    second.state = { attempts: 2, nextAttemptAtMs: 12345, done: { 'bob@example.test': 'delivered' } };
    await spool.saveState(second);

    const reopened = await Spool.open(dir);
    const { entries, problems } = await reopened.recover();
    expect(problems).toEqual([]);
    expect(entries.map((e) => e.meta.id)).toEqual([first.meta.id, second.meta.id]);
    expect(entries[1]!.state).toEqual(second.state);
    expect((await reopened.readMessage(first.meta.id)).toString()).toBe('X-Trace: 1\r\nSubject: one\r\n\r\nbody\r\n');
    expect(reopened.count).toBe(2);
    expect(reopened.sizeBytes).toBe(first.sizeBytes + second.sizeBytes);
  });

  it('drops halves of writes that never completed (never acknowledged) and temporary files', async () => {
    const spool = await Spool.open(dir);
    const kept = await spool.put(meta(), [Buffer.from('Subject: kept\r\n\r\n')]);
    const onlyMessage = newMessageId();
    const onlyMeta = newMessageId();
    await writeFile(join(dir, `${onlyMessage}.eml`), 'Subject: half\r\n\r\n');
    await writeFile(join(dir, `${onlyMeta}.json`), JSON.stringify(meta(onlyMeta)));
    await writeFile(join(dir, `${kept.meta.id}.state.json.tmp-abcd`), '{');

    const { entries } = await (await Spool.open(dir)).recover();
    expect(entries.map((e) => e.meta.id)).toEqual([kept.meta.id]);
    expect((await readdir(dir)).sort()).toEqual(['damaged', `${kept.meta.id}.eml`, `${kept.meta.id}.json`].sort());
  });

  it('moves a message with unreadable metadata to damaged/ and reports it, never deleting it', async () => {
    const id = newMessageId();
    await writeFile(join(dir, `${id}.eml`), 'Subject: x\r\n\r\n');
    await writeFile(join(dir, `${id}.json`), '{"id": "trunc');
    const spool = await Spool.open(dir);
    const { entries, problems } = await spool.recover();
    expect(entries).toEqual([]);
    expect(problems[0]!.problem).toContain('damaged');
    expect((await readdir(join(dir, 'damaged'))).sort()).toEqual([`${id}.eml`, `${id}.json`]);
  });

  it('refuses a second message with the same id and removes a finished one', async () => {
    const spool = await Spool.open(dir);
    const entry = await spool.put(meta(), [Buffer.from('a')]);
    await expect(spool.put(entry.meta, [Buffer.from('b')])).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await spool.readMessage(entry.meta.id)).toString()).toBe('a');
    await spool.remove(entry);
    expect(await spool.get(entry.meta.id)).toBeUndefined();
    expect(spool.count).toBe(0);
  });

  describe('with the segment log', () => {
    // Done markers are written after the current turn of the event loop, unsynced.
    const markersWritten = () => new Promise((resolve) => setTimeout(resolve, 50));
    const segments = async () => (await readdir(dir)).filter((name) => name.startsWith('segment-'));

    it('recovers what was acknowledged and not done after a crash (no close), and deletes finished segments', async () => {
      const spool = await Spool.open(dir, { segments: true });
      const [kept, delivered, other] = await Promise.all([
        spool.put(meta(), [Buffer.from('X-Trace: 1\r\n'), Buffer.from('Subject: kept\r\n\r\n')]),
        spool.put(meta(), [Buffer.from('Subject: delivered\r\n\r\n')]),
        spool.put(meta(), [Buffer.from('Subject: other\r\n\r\n')]),
      ]);
      expect(await segments()).toHaveLength(1);
      await spool.remove(delivered);
      await markersWritten();

      const reopened = await Spool.open(dir, { segments: true });
      const { entries, problems } = await reopened.recover();
      expect(problems).toEqual([]);
      expect(entries.map((e) => e.meta.id)).toEqual([kept.meta.id, other.meta.id].sort());
      expect((await reopened.readMessage(kept.meta.id)).toString()).toBe('X-Trace: 1\r\nSubject: kept\r\n\r\n');
      expect(reopened.sizeBytes).toBe(kept.sizeBytes + other.sizeBytes);
      for (const entry of entries) await reopened.remove(entry);
      await markersWritten();

      await (await Spool.open(dir, { segments: true })).recover();
      expect(await segments()).toEqual([]);
    });

    it('moves a message that needs a retry to its own files and recovers it from there only', async () => {
      const spool = await Spool.open(dir, { segments: true });
      const entry = await spool.put(meta(), [Buffer.from('Subject: retried\r\n\r\n')]);
      entry.state = { attempts: 1, nextAttemptAtMs: 12345, done: {} };
      await spool.saveState(entry);
      expect((await readdir(dir)).filter((name) => name.startsWith(entry.meta.id)).sort()).toEqual([`${entry.meta.id}.eml`, `${entry.meta.id}.json`, `${entry.meta.id}.state.json`]);
      expect((await spool.readMessage(entry.meta.id)).toString()).toBe('Subject: retried\r\n\r\n');
      await markersWritten();

      await expect(spool.put(entry.meta, [Buffer.from('again')])).rejects.toMatchObject({ code: 'EEXIST' });
      const reopened = await Spool.open(dir, { segments: true });
      const { entries } = await reopened.recover();
      expect(entries).toEqual([{ meta: entry.meta, state: entry.state, sizeBytes: entry.sizeBytes }]);
      await expect(reopened.put(entry.meta, [Buffer.from('again')])).rejects.toMatchObject({ code: 'EEXIST' });
    });

    it('cuts a record torn by a crash and goes on after the last whole one', async () => {
      const spool = await Spool.open(dir, { segments: true });
      const first = await spool.put(meta(), [Buffer.from('Subject: first\r\n\r\n')]);
      await appendFile(join(dir, (await segments())[0]!), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 1]));

      const reopened = await Spool.open(dir, { segments: true });
      expect((await reopened.recover()).entries.map((e) => e.meta.id)).toEqual([first.meta.id]);
      const second = await reopened.put(meta(), [Buffer.from('Subject: second\r\n\r\n')]);
      await reopened.remove(first);
      await markersWritten();
      const { entries } = await (await Spool.open(dir, { segments: true })).recover();
      expect(entries.map((e) => e.meta.id)).toEqual([second.meta.id]);
    });

    it('refuses a second message with the same id', async () => {
      const spool = await Spool.open(dir, { segments: true });
      const entry = await spool.put(meta(), [Buffer.from('a')]);
      await expect(spool.put(entry.meta, [Buffer.from('b')])).rejects.toMatchObject({ code: 'EEXIST' });
      expect(await spool.get(entry.meta.id)).toBe(entry);
    });
  });
});
