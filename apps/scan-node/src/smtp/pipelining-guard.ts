/**
 * Commands after which a client must wait for the reply before it sends anything (RFC 2920 3.1: their outcome
 * changes the state the next command runs in). STARTTLS is left to smtp-server, which discards what a client
 * sends in plain text during the handshake.
 */
const GROUP_ENDERS = new Set(['EHLO', 'HELO', 'DATA', 'VRFY', 'EXPN', 'TURN', 'QUIT', 'NOOP']);

/** What the offending input followed, as the reply and the log name it. */
export const END_OF_DATA = 'the end of data';

/** The reply to unauthorised pipelining, as Postfix words it (smtpd_forbid_unauth_pipelining). */
export const SYNC_ERROR = { code: 554, message: '5.5.0 Error: SMTP protocol synchronization' } as const;

/**
 * Finds input a client sent before the reply it had to wait for: after a command that ends a pipelining group,
 * after any command before EHLO announced PIPELINING, and after the end of data (what SMTP smuggling sends).
 * Fed by one connection's parser: `commandInput` with the text of each chunk read in command mode (before its
 * lines are handed on), `dispatch` for each line handed on, `dataEnded` at the final dot, `arrived` for bytes
 * read from the socket, `replied` for each reply. The parser hands on a chunk's lines before it reads the next
 * chunk, so the lines counted here are the lines dispatched.
 */
export class PipeliningGuard {
  private scannedLines = 0;
  private dispatchedLines = 0;
  /** Ordinal of the first line that had input after it in its own chunk. */
  private offendingLine = -1;
  private offendingName = '';
  /** What the client must wait on (a group-ending command or the end of data); cleared by the reply. */
  private awaiting: string | undefined;
  /** What input arrived after while its reply was outstanding; the connection closes after that reply. */
  violation: string | undefined;

  /** ONPIPELINEDAFTERDATA: called once when input came after the final dot before its reply (the message must be refused). */
  constructor(private readonly onPipelinedAfterData: () => void) {}

  /** PIPELININGANNOUNCED: whether EHLO was answered (else every command must wait for its reply). */
  commandInput(text: string, pipeliningAnnounced: boolean): void {
    if (this.offendingLine >= 0 || this.violation) return;
    const lineEnd = /\r?\n/g;
    for (let pos = 0, match = lineEnd.exec(text); match; pos = lineEnd.lastIndex, match = lineEnd.exec(text)) {
      const name = text.slice(pos, match.index).split(' ', 1)[0]!.toUpperCase();
      const ordinal = this.scannedLines++;
      const endsGroup = GROUP_ENDERS.has(name) || !pipeliningAnnounced;
      if (endsGroup && lineEnd.lastIndex < text.length) {
        this.offendingLine = ordinal;
        this.offendingName = name;
        return;
      }
      // What follows DATA is the message, not commands.
      if (name === 'DATA') return;
    }
  }

  /** For each command line handed on: the command it followed without waiting when this one must be refused. */
  dispatch(command: string): string | undefined {
    const ordinal = this.dispatchedLines++;
    if (ordinal === this.offendingLine) return this.offendingName;
    const name = command.split(' ', 1)[0]!.toUpperCase();
    if (GROUP_ENDERS.has(name)) this.awaiting = name;
    return undefined;
  }

  /** At the final dot; REMAINDERBYTES: input after it in the same chunk. True when that input is a violation. */
  dataEnded(remainderBytes: number): boolean {
    if (remainderBytes > 0) {
      this.violate(END_OF_DATA);
      return true;
    }
    this.awaiting = END_OF_DATA;
    return false;
  }

  /** Bytes read from the client; true when they came while a reply was outstanding (then they are dropped). */
  arrived(bytes: number): boolean {
    if (this.violation) return true;
    if (bytes === 0 || !this.awaiting) return false;
    this.violate(this.awaiting);
    return true;
  }

  private violate(after: string): void {
    this.violation = after;
    if (after === END_OF_DATA) this.onPipelinedAfterData();
  }

  /** A reply went out: nothing is awaited any more. */
  replied(): void {
    this.awaiting = undefined;
  }
}
