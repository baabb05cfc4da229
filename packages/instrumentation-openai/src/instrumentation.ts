import { context } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import { GenAiOperationName } from '@spantrack/conventions';
import {
  GenAiClientInstrumentation,
  resolveCaptureContent,
  tracedChunks,
} from '@spantrack/instrumentation/model-call';
import type {
  ChatCompletion,
  CreateMethod,
  OpenAIModuleExports,
  OpenAIStream,
  ResourceLike,
} from './internal-types';
import { OpenAICall, type OpenAIOperation } from './openai-call';
import { StreamAccumulator } from './stream-accumulator';
import type { OpenAIInstrumentationConfig } from './types';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/**
 * The `openai` majors this package patches: those `@opentelemetry/instrumentation-openai` does
 * not (it supports `>=4.19.0 <7`). The README says the same.
 */
export const SUPPORTED_VERSIONS = ['>=7.0.0 <8'];

type Prototype = Record<string, unknown>;

/** The patched prototypes of one loaded copy of the module, one row per operation. */
function targetsOf(moduleExports: OpenAIModuleExports): { proto: Prototype; operation: OpenAIOperation }[] {
  const client = moduleExports?.OpenAI;
  const targets: { proto: Prototype; operation: OpenAIOperation }[] = [];
  const chat = client?.Chat?.Completions?.prototype;
  if (chat !== undefined) targets.push({ proto: chat, operation: GenAiOperationName.CHAT });
  const embeddings = client?.Embeddings?.prototype;
  if (embeddings !== undefined) targets.push({ proto: embeddings, operation: GenAiOperationName.EMBEDDINGS });
  return targets;
}

/**
 * OpenTelemetry instrumentation of the `openai` client's 7.x line: a GenAI client span per
 * `chat.completions.create` (streamed answers included, ended with the stream) and
 * `embeddings.create`, and the `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`
 * histograms. The same spans as the official instrumentation makes for older majors.
 */
export class OpenAIInstrumentation extends GenAiClientInstrumentation<
  OpenAIInstrumentationConfig,
  OpenAIModuleExports
> {
  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected patchedModule() {
    return { name: 'openai', supportedVersions: SUPPORTED_VERSIONS };
  }

  protected patch(moduleExports: OpenAIModuleExports): OpenAIModuleExports {
    // ESM namespaces expose the class as `default` too; CommonJS exports it as `OpenAI`.
    const targets = targetsOf(moduleExports);
    if (targets.length === 0) {
      this._diag.warn(
        'the openai module exports no OpenAI class with chat completions: nothing instrumented',
      );
    }
    for (const { proto, operation } of targets) {
      if (isWrapped(proto.create)) this._unwrap(proto, 'create');
      this._wrap(proto, 'create', (original) => this.patchedCreate(original as CreateMethod, operation));
    }
    return moduleExports;
  }

  protected unpatch(moduleExports: OpenAIModuleExports | undefined): void {
    if (moduleExports === undefined) return;
    for (const { proto } of targetsOf(moduleExports)) {
      if (isWrapped(proto.create)) this._unwrap(proto, 'create');
    }
  }

  private patchedCreate(original: CreateMethod, operation: OpenAIOperation): CreateMethod {
    const instrumentation = this;
    return function patchedCreate(this: ResourceLike, ...args: unknown[]) {
      if (!instrumentation.isEnabled()) return original.apply(this, args);
      const params = (args[0] !== null && typeof args[0] === 'object' ? args[0] : {}) as Record<
        string,
        unknown
      >;
      let call: OpenAICall;
      try {
        const capture = resolveCaptureContent(instrumentation.getConfig().captureMessageContent);
        const instruments = { tracer: instrumentation.tracer, ...instrumentation.histograms };
        call = new OpenAICall(instruments, operation, params, this?._client?.baseURL, capture);
      } catch (error) {
        instrumentation._diag.error('could not start the span of an openai call', error);
        return original.apply(this, args);
      }
      let apiPromise: PromiseLike<unknown>;
      try {
        apiPromise = context.with(call.ctx, () => original.apply(this, args));
      } catch (error) {
        call.fail(error);
        throw error;
      }
      const streamed = operation === GenAiOperationName.CHAT && params.stream === true;
      // The caller gets the client's own APIPromise (it has `withResponse()`); this side chain
      // only observes it and handles its rejection, so nothing is reported unhandled twice.
      apiPromise.then(
        (result) => {
          if (streamed) instrumentation.traceStream(result as OpenAIStream, call);
          else call.succeed(result);
        },
        (error: unknown) => call.fail(error),
      );
      return apiPromise;
    };
  }

  /** Ends the span when the stream does: its last chunk, a break, or an error. */
  private traceStream(stream: OpenAIStream, call: OpenAICall): void {
    if (stream === null || typeof stream !== 'object' || typeof stream.iterator !== 'function') {
      call.succeed(undefined);
      return;
    }
    // `iterator` rather than Symbol.asyncIterator: the client's `tee()` reads it directly.
    const iterate = stream.iterator.bind(stream);
    stream.iterator = (): AsyncGenerator<ChatCompletion> => {
      const accumulator = new StreamAccumulator();
      return tracedChunks(iterate, (chunk) => accumulator.add(chunk), {
        succeed: () => call.succeed(accumulator.completion()),
        fail: (error) => call.fail(error),
      });
    };
  }
}
