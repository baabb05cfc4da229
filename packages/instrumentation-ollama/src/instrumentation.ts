import { context } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import { GenAiOperationName } from '@spantrack/conventions';
import {
  GenAiClientInstrumentation,
  resolveCaptureContent,
  tracedChunks,
} from '@spantrack/instrumentation/model-call';
import type {
  OllamaClientLike,
  OllamaMethod,
  OllamaModuleExports,
  OllamaRequest,
  OllamaResponse,
  OllamaStream,
} from './internal-types';
import { OllamaCall } from './ollama-call';
import { StreamAccumulator } from './stream-accumulator';
import type { OllamaInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** The `ollama` versions this instrumentation patches (the README says the same). */
export const SUPPORTED_VERSIONS = ['>=0.5.0 <1'];

/** One row per patched client method: its GenAI operation, and whether it can stream. */
const METHODS: readonly { method: string; operation: string; streams: boolean }[] = [
  { method: 'chat', operation: GenAiOperationName.CHAT, streams: true },
  { method: 'generate', operation: GenAiOperationName.TEXT_COMPLETION, streams: true },
  { method: 'embed', operation: GenAiOperationName.EMBEDDINGS, streams: false },
  { method: 'embeddings', operation: GenAiOperationName.EMBEDDINGS, streams: false },
];

/**
 * OpenTelemetry instrumentation of the `ollama` npm client: a GenAI client span per `chat`,
 * `generate`, `embed` and `embeddings` call (streamed answers included, ended at their final
 * chunk), and the `gen_ai.client.operation.duration` and `gen_ai.client.token.usage` histograms.
 * Patches `Ollama.prototype`, so the default instance and every `new Ollama()` are covered.
 */
export class OllamaInstrumentation extends GenAiClientInstrumentation<
  OllamaInstrumentationConfig,
  OllamaModuleExports
> {
  constructor(config: OllamaInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected patchedModule() {
    return { name: 'ollama', supportedVersions: SUPPORTED_VERSIONS };
  }

  protected patch(moduleExports: OllamaModuleExports): OllamaModuleExports {
    const proto = moduleExports?.Ollama?.prototype;
    if (proto === undefined) {
      this._diag.warn('the ollama module exports no Ollama class: nothing instrumented');
      return moduleExports;
    }
    for (const { method, operation, streams } of METHODS) {
      if (typeof proto[method] !== 'function') continue; // older clients lack `embed`
      if (isWrapped(proto[method])) this._unwrap(proto, method);
      this._wrap(proto, method, (original) =>
        this.patchedMethod(original as OllamaMethod, operation, streams),
      );
    }
    return moduleExports;
  }

  protected unpatch(moduleExports: OllamaModuleExports | undefined): void {
    const proto = moduleExports?.Ollama?.prototype;
    if (proto === undefined) return;
    for (const { method } of METHODS) {
      if (isWrapped(proto[method])) this._unwrap(proto, method);
    }
  }

  private patchedMethod(original: OllamaMethod, operation: string, streams: boolean): OllamaMethod {
    const instrumentation = this;
    return function patched(this: OllamaClientLike, ...args: [OllamaRequest]) {
      if (!instrumentation.isEnabled()) return original.apply(this, args);
      const request: OllamaRequest = args[0] !== null && typeof args[0] === 'object' ? args[0] : {};
      let call: OllamaCall;
      try {
        call = instrumentation.startCall(operation, request, this?.config?.host);
      } catch (error) {
        instrumentation._diag.error('could not start the span of an ollama call', error);
        return original.apply(this, args);
      }
      // The request's own `stream` decides, read before the client defaults it.
      const streamed = streams && request.stream === true;
      let pending: Promise<unknown>;
      try {
        pending = context.with(call.ctx, () => original.apply(this, args));
      } catch (error) {
        call.fail(error);
        throw error;
      }
      return pending.then(
        (result) => {
          if (streamed) return instrumentation.traceStream(result as OllamaStream, call);
          call.succeed(result as OllamaResponse);
          return result;
        },
        (error: unknown) => {
          call.fail(error);
          throw error;
        },
      );
    };
  }

  private startCall(operation: string, request: OllamaRequest, host: string | undefined): OllamaCall {
    const capture = resolveCaptureContent(this.getConfig().captureMessageContent);
    return new OllamaCall({ tracer: this.tracer, ...this.histograms }, operation, request, host, capture);
  }

  /** Ends the span when the stream does: at its final chunk, a break, or an error. */
  private traceStream(stream: OllamaStream, call: OllamaCall): OllamaStream {
    if (stream === null || typeof stream !== 'object' || typeof stream[Symbol.asyncIterator] !== 'function') {
      call.succeed(undefined);
      return stream;
    }
    const iterate = stream[Symbol.asyncIterator].bind(stream);
    Object.defineProperty(stream, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: () => {
        const accumulator = new StreamAccumulator();
        return tracedChunks(iterate, (chunk) => accumulator.add(chunk), {
          succeed: () => call.succeed(accumulator.response()),
          fail: (error) => call.fail(error),
        });
      },
    });
    return stream;
  }
}
