/**
 * The class name that says nothing about a failure: the openai client's HTTP errors keep `name` as
 * `Error`, which is what LangChain's run error and OpenTelemetry's `exception.type` then show.
 */
const GENERIC_ERROR_CLASS = 'Error';

/** A class name as written in a stack's first line (`TimeoutError: Request timed out.`). */
const STACK_HEADER = /^([A-Za-z_$][\w$.]{0,127}): /;
/** LangChain run errors longer than this are not searched (the class is near their start anyway). */
const MAX_RUN_ERROR_LENGTH = 65_536;
/** At most this many blank lines are tried as the start of the stack (bounded work per span). */
const MAX_SEPARATORS = 8;

/** The producer's error class, unless it is the generic `Error`. */
export function specificErrorClass(name: string | undefined): string | undefined {
  return name === GENERIC_ERROR_CLASS ? undefined : name;
}

/**
 * The class named by a LangChain run error, as OpenInference's LangChain tracer writes it into the
 * span status (no `exception.type`): `${message}\n\n${stack}`, the stack opening with
 * `${name}: ${message}`. Undefined when the text has no such stack or names the generic `Error`.
 */
export function langChainRunErrorClass(text: string): string | undefined {
  if (text.length > MAX_RUN_ERROR_LENGTH) return undefined;
  let from = 0;
  for (let tries = 0; tries < MAX_SEPARATORS; tries++) {
    const at = text.indexOf('\n\n', from);
    if (at < 0) return undefined;
    const stack = text.slice(at + 2);
    const header = STACK_HEADER.exec(stack);
    // The stack repeats the message: a "Name: " line elsewhere in the message is not the header.
    if (header !== null && stack.startsWith(text.slice(0, at), header[0].length)) {
      return specificErrorClass(header[1]);
    }
    from = at + 2;
  }
  return undefined;
}
