import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeResponse, encodeCall, faultToError } from '../../../src/grid/supervisord/index.ts';

test('a call escapes its string parameters', () => {
  const body = encodeCall('supervisor.startProcessGroup', ['a<b&c', false, 3]);
  assert.match(body, /<methodName>supervisor\.startProcessGroup<\/methodName>/);
  assert.match(body, /<string>a&lt;b&amp;c<\/string>/);
  assert.match(body, /<boolean>0<\/boolean>/);
  assert.match(body, /<int>3<\/int>/);
});

test('responses decode structs, arrays and untyped strings', () => {
  const xml = `<?xml version='1.0'?>
<methodResponse><params><param><value><array><data>
<value><struct>
<member><name>name</name><value><string>web</string></value></member>
<member><name>status</name><value><int>80</int></value></member>
<member><name>description</name><value>OK</value></member>
<member><name>ok</name><value><boolean>1</boolean></value></member>
</struct></value>
</data></array></value></param></params></methodResponse>`;
  const response = decodeResponse(xml);
  assert.ok('value' in response);
  assert.deepEqual(JSON.parse(JSON.stringify(response.value)), [{ name: 'web', status: 80, description: 'OK', ok: true }]);
});

test('faults decode and map to typed errors in one place', () => {
  const xml = `<?xml version='1.0'?><methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>10</int></value></member>
<member><name>faultString</name><value><string>BAD_NAME: slappart9</string></value></member>
</struct></value></fault></methodResponse>`;
  const response = decodeResponse(xml);
  assert.ok('fault' in response);
  assert.deepEqual(response.fault, { faultCode: 10, faultString: 'BAD_NAME: slappart9' });
  const error = faultToError('supervisor.startProcessGroup', 10, 'BAD_NAME: slappart9');
  assert.equal(error.code, 'GRID_ERR_SUPERVISORD_BAD_NAME');
  assert.equal(faultToError('x', 6, 'SHUTDOWN_STATE').code, 'GRID_ERR_SUPERVISORD_SHUTTING_DOWN');
  assert.equal(faultToError('x', 30, 'FAILED').code, 'GRID_ERR_SUPERVISORD_FAULT');
});

test('malformed responses are refused', () => {
  assert.throws(() => decodeResponse('<methodResponse><params></params></methodResponse>'));
  assert.throws(() => decodeResponse('<html>'));
});
