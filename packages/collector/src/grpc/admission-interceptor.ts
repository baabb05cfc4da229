import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import type { BearerAuth } from '../http/bearer-auth';
import { type MemoryBudget, Reservation } from '../pipeline/memory-budget';
import { grpcError } from './grpc-error';

export interface AdmissionOptions {
  auth: BearerAuth | undefined;
  /** Bytes gRPC messages may inflate into at once, before the shared budget takes them over. */
  budget: MemoryBudget;
  /** Largest message after decompression: what a call may cost before its message is read. */
  maxMessageBytes: number;
  /** Calls that may wait for room in the budget; past it, UNAVAILABLE. */
  maxWaitingCalls: number;
  /** RetryInfo of that UNAVAILABLE, ms. */
  retryAfterMs: number;
  /** Counts a call refused here (the handler never sees it). */
  onRefused: (outcome: 'unauthorized' | 'throttled') => void;
}

/**
 * Decides on a call from its metadata alone, before grpc-js reads (and inflates) its message: the
 * bearer token is checked first, then the call waits until the inflation budget has room for the
 * largest message it may send (grpc-js inflates before any handler could count the bytes). grpc-js reads a call's data only once its metadata has passed
 * every interceptor, so a refused call never costs more than its headers.
 */
export function admissionInterceptor(options: AdmissionOptions): ServerInterceptor {
  /** Calls waiting for room, oldest first; each returns false while there is still none. */
  const waiting: (() => boolean)[] = [];
  const wakeNext = () => {
    while (waiting.length > 0 && waiting[0]!()) waiting.shift();
  };
  options.budget.onFreed.add(wakeNext);
  return (_method, call) => {
    const reservation = new Reservation(options.budget);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      reservation.release();
    };
    const refuse = (outcome: 'unauthorized' | 'throttled', details: string) => {
      options.onRefused(outcome);
      const { code, metadata } = grpcError(outcome, details, options.retryAfterMs);
      call.sendStatus({ code, details, metadata });
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, pass) {
            if (options.auth !== undefined) {
              const header = metadata.get('authorization')[0];
              if (!options.auth.check(typeof header === 'string' ? header : undefined)) {
                refuse('unauthorized', 'missing or wrong bearer token');
                return;
              }
            }
            const admit = (): boolean => {
              if (done) return true;
              if (!reservation.take(options.maxMessageBytes)) return false;
              pass(metadata);
              return true;
            };
            if (waiting.length === 0 && admit()) return;
            if (waiting.length < options.maxWaitingCalls) waiting.push(admit);
            else
              refuse(
                'throttled',
                `collector busy: ${options.budget.used} of ${options.budget.limit} bytes of its memory budget in use`,
              );
          },
          onReceiveMessage(message: Buffer, pass) {
            // The message is in: the handler counts it in the shared budget from here on.
            reservation.release();
            pass(message);
          },
          onCancel() {
            finish();
          },
        });
      },
      sendStatus(callStatus, next) {
        finish();
        next(callStatus);
      },
    });
  };
}
