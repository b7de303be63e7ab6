/**
 * What Node does with its own environment variables before secwrap's first line runs, and what
 * secwrap can still do about it (the single executable ignores NODE_OPTIONS; these are read
 * anyway). The residual risks are in docs/security.md ("Node's own variables").
 *
 * NODE_CHANNEL_FD=N makes Node open descriptor N as an IPC channel (Node deletes the variable
 * from the environment): it sets O_NONBLOCK on that descriptor's open file description, which
 * the caller shares, and the flag it had before is lost. With N = 0 the command would read a
 * non-blocking stdin (`cat` fails with EAGAIN); the channel also keeps `explain` and `check` from
 * exiting while the other end stays open, and may read the caller's input. setpriv ignores the
 * variable; secwrap cannot give the command what setpriv would, so it refuses.
 * NODE_UNIQUE_ID (a cluster worker) acts only through that channel.
 */
import { SecwrapError } from '../errors.js';

/** Refuse to go on when Node opened an IPC channel at start (exit 125, before anything else). */
export function refuseNodeIpcChannel(): void {
  if (process.channel === undefined) return;
  const fd = (process.channel as unknown as { fd?: unknown }).fd;
  throw new SecwrapError(
    `started with a Node IPC channel (NODE_CHANNEL_FD${typeof fd === 'number' && fd >= 0 ? `=${fd}` : ''}): Node made that descriptor non-blocking before secwrap ran; refused`,
  );
}
