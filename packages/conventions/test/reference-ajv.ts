import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * A strict draft-07 Ajv (the reference implementation the tests compare against) that knows the
 * plans' `x-spantrack-*` annotation keywords (they validate nothing) and the `date-time` format.
 */
export function referenceAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv, ['date-time']);
  for (const keyword of [
    'x-spantrack-content',
    'x-spantrack-constant',
    'x-spantrack-type',
    'x-spantrack-catalog',
    'x-spantrack-addition',
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv;
}
