import { ENV_PREFIX } from '../config';

/** A port already taken, said with the flag that sets it; undefined for other start failures. */
export function portProblem(error: unknown): string | undefined {
  const e = error as { code?: string; port?: number; address?: string; message?: string };
  if (e?.code === 'EADDRINUSE' && e.port !== undefined)
    return `--http-port / ${ENV_PREFIX}HTTP_PORT: ${e.address}:${e.port} is already in use (0 picks a free port)`;
  const grpc = /EADDRINUSE[^\]]*?(\S+:\d+)\]?$/.exec(e?.message ?? '');
  if (grpc) return `--grpc-port / ${ENV_PREFIX}GRPC_PORT: ${grpc[1]} is already in use (0 picks a free port)`;
  return undefined;
}
