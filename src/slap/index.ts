// The SLAP library: transport, object model, errors (docs/SLAP-LIBRARY.md).
export { Slap, type SlapOptions, type ConnectionOptions } from './model/slap.ts';
export { Computer, type ComputerCertificate } from './model/computer.ts';
export { ComputerPartition, type PartitionCertificate } from './model/computer-partition.ts';
export { SoftwareRelease } from './model/software-release.ts';
export { OpenOrder } from './model/open-order.ts';
export { Supply, type SupplyState } from './model/supply.ts';
export { type InstanceRequest, type RequestedInstanceState } from './model/request-form.ts';
export { requestTransactionPath } from './model/request-transaction.ts';
export { type SlapTransport, type TransportWrapper, type QueryFields, type FormFields, composeTransport } from './transport/transport.ts';
export { HttpTransport, type HttpTransportOptions } from './transport/http.ts';
export { withRetryOnNotReady, type RetryOnNotReadyOptions } from './transport/retry.ts';
export { withLogging } from './transport/logging.ts';
export { SlapError, SLAP_ERRORS, type SlapErrorCode } from './errors.ts';
export { marshal, unmarshal, dict2xml, xml2dict, serialiseParameters, isMarshalDict, PyFloat, PyObject, PyTuple, SLAP_CLASSES, SLAP_MODULE, CodecErrorCode, type MarshalDict, type MarshalValue, type UnmarshalOptions } from './codec/index.ts';
export { newAgent, openRequest, readBounded, sendRequest, type HttpCall, type OpenResponse, type HttpResponse } from './transport/request.ts';
