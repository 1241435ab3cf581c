export { isMarshalDict, PyFloat, PyObject, PyTuple, SLAP_CLASSES, SLAP_MODULE, type MarshalDict, type MarshalValue } from './values.ts';
export { marshal } from './marshal.ts';
export { unmarshal, type UnmarshalOptions } from './unmarshal.ts';
export { dict2xml, serialiseParameters, xml2dict } from './instance-xml.ts';
export { CodecErrorCode } from './errors.ts';
