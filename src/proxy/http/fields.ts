import { unmarshal, type MarshalDict, type MarshalValue } from '../../slap/index.ts';
import { messageOf } from '../../errors/index.ts';
import { badParameter, missingParameter } from '../errors.ts';
import { isMarshalDict } from '../../slap/index.ts';

/** Limits handed to the codec for every marshalled field. */
export interface FieldLimits {
  maxBytes: number;
  maxDepth: number;
}

/**
 * The parameters of one SLAP call: the query string of a GET or the
 * urlencoded form of a POST. Accessors validate as they read, so a route
 * never sees a missing or malformed value.
 */
export class Fields {
  readonly #params: URLSearchParams;
  readonly #limits: FieldLimits;

  constructor(params: URLSearchParams, limits: FieldLimits) {
    this.#params = params;
    this.#limits = limits;
  }

  /** The value; absent → PROXY_ERR_MISSING_PARAMETER (400). */
  required(name: string): string {
    const value = this.#params.get(name);
    if (value === null) throw missingParameter(name);
    return value;
  }

  optional(name: string): string | undefined {
    return this.#params.get(name) ?? undefined;
  }

  /** Clients post Python's None as the text `None`: absent, empty and `None` all mean "none". */
  reference(name: string): string | null {
    const value = this.#params.get(name);
    return value === null || value === '' || value === 'None' ? null : value;
  }

  /** A required, non-empty identifier (`None` counts as missing). */
  identifier(name: string): string {
    const value = this.reference(name);
    if (value === null) throw missingParameter(name);
    return value;
  }

  /** An xml_marshaller document; absent → `fallback`, or PROXY_ERR_MISSING_PARAMETER without one. */
  marshalled(name: string, fallback?: MarshalValue): MarshalValue {
    const text = this.#params.get(name);
    if (text === null) {
      if (fallback === undefined) throw missingParameter(name);
      return fallback;
    }
    try {
      return unmarshal(text, this.#limits);
    } catch (error) {
      throw badParameter(name, messageOf(error));
    }
  }

  /** A marshalled dictionary (parameters, SLA, computer description). */
  marshalledDict(name: string, fallback?: MarshalDict): MarshalDict {
    const value = this.marshalled(name, fallback);
    if (!isMarshalDict(value)) throw badParameter(name, 'expected a marshalled dictionary');
    return value;
  }
}
