import { SlapOSError } from '../../errors/index.ts';

/**
 * Error codes of the xml_marshaller and instance-XML codec (docs/errors/slap.md).
 * Decoding errors answer 400: the document came from the other side.
 */
export const CodecErrorCode = {
  SYNTAX: 'SLAP_ERR_XML_SYNTAX',
  TOO_LARGE: 'SLAP_ERR_XML_TOO_LARGE',
  TOO_DEEP: 'SLAP_ERR_XML_TOO_DEEP',
  INVALID: 'SLAP_ERR_XML_INVALID',
  CLASS: 'SLAP_ERR_XML_CLASS',
  UNENCODABLE: 'SLAP_ERR_XML_UNENCODABLE',
} as const;

export type CodecErrorCode = (typeof CodecErrorCode)[keyof typeof CodecErrorCode];

export function xmlSyntaxError(reason: string, cause?: unknown): SlapOSError {
  return new SlapOSError(CodecErrorCode.SYNTAX, `malformed XML: ${reason}`, { status: 400, cause });
}

export function xmlTooLargeError(what: string, limit: number): SlapOSError {
  return new SlapOSError(CodecErrorCode.TOO_LARGE, `XML document too large: more than ${limit} ${what}`, { status: 400 });
}

export function xmlTooDeepError(limit: number): SlapOSError {
  return new SlapOSError(CodecErrorCode.TOO_DEEP, `XML document nested more than ${limit} elements deep`, { status: 400 });
}

export function xmlInvalidError(reason: string): SlapOSError {
  return new SlapOSError(CodecErrorCode.INVALID, `invalid xml_marshaller document: ${reason}`, { status: 400 });
}

export function xmlClassError(module: string, className: string): SlapOSError {
  return new SlapOSError(CodecErrorCode.CLASS, `refusing to unmarshal ${module}.${className}: not a SLAP class`, { status: 400 });
}

export function unencodableError(reason: string): SlapOSError {
  return new SlapOSError(CodecErrorCode.UNENCODABLE, `cannot encode value: ${reason}`, { status: 400 });
}
