import type { Logger } from '../../log/index.ts';
import { messageOf } from '../../errors/index.ts';
import { marshal, xml2dict, PyObject, type MarshalDict, type MarshalValue } from '../codec/index.ts';
import { invalidArgument, notFound, notReady, unexpectedResponse } from '../errors.ts';
import type { SlapConnection } from './connection.ts';
import { decodeAnswer, decodeDocument, describe, dictAttribute, documentOf, emptyDict, isDict, textAttribute } from './documents.ts';
import { requestForm, type InstanceRequest, type RequestForm } from './request-form.ts';
import { openRequestTransaction, recordRequest } from './request-transaction.ts';
import { SoftwareRelease } from './software-release.ts';

const WHERE = 'ComputerPartition';

/** Key and certificate of a partition (empty strings from a proxy). */
export interface PartitionCertificate {
  key: string;
  certificate: string;
}

/**
 * A computer partition with the instance deployed in it, as the master
 * describes it. Objects come complete from the master (getFullComputerInformation,
 * registerComputerPartition, requestComputerPartition), so getters are
 * synchronous and never call the master; make a new object to see newer data.
 */
export class ComputerPartition {
  /** Every attribute the master sent, known or not (`_parameter_dict`, `_access_status`, ...). */
  readonly attributes: MarshalDict;
  private readonly connection: SlapConnection;
  private readonly softwareRelease: SoftwareRelease | undefined;

  /** `attributes` are those of a decoded ComputerPartition (or request answer); they are checked here. */
  constructor(connection: SlapConnection, attributes: MarshalDict) {
    this.connection = connection;
    this.attributes = attributes;
    for (const name of ['_computer_id', '_partition_id', '_requested_state', '_instance_guid', 'connection_xml', 'xml']) {
      textAttribute(attributes, name, WHERE);
    }
    dictAttribute(attributes, '_parameter_dict', WHERE);
    dictAttribute(attributes, '_connection_dict', WHERE);
    this.softwareRelease = softwareReleaseOf(connection, attributes);
  }

  /** GET registerComputerPartition: the partition as the master knows it now. */
  static async register(connection: SlapConnection, computerId: string, partitionId: string): Promise<ComputerPartition> {
    if (!computerId || !partitionId) {
      throw notFound(`registerComputerPartition: computer id and partition id are required (got ${JSON.stringify(computerId)}, ${JSON.stringify(partitionId)})`);
    }
    const answer = await connection.transport.get('registerComputerPartition', {
      computer_reference: computerId,
      computer_partition_reference: partitionId,
    });
    const { attributes } = decodeDocument(answer, ['ComputerPartition'], 'registerComputerPartition');
    const partition = new ComputerPartition(connection, attributes);
    await openRequestTransaction(connection, partition.getId());
    return partition;
  }

  /**
   * POST requestComputerPartition and the partition of the answer. A master
   * answers "not allocated yet" with 408: that rejects with
   * SLAP_ERR_RESOURCE_NOT_READY ("ask again later"), where the Python client
   * returned a partition whose getters raised it.
   */
  static async sendRequest(connection: SlapConnection, form: RequestForm, requestedState: string | null | undefined): Promise<ComputerPartition> {
    const answer = await connection.transport.post('requestComputerPartition', form);
    // A regular answer is a SoftwareInstance; a 1.x proxy's fake frontend is a ComputerPartition.
    const document = decodeDocument(answer, ['SoftwareInstance', 'ComputerPartition'], 'requestComputerPartition');
    const attributes = emptyDict();
    attributes._computer_id = requiredText(document.attributes, 'slap_computer_id');
    attributes._partition_id = requiredText(document.attributes, 'slap_computer_partition_id');
    Object.assign(attributes, document.attributes);
    // 0.32 masters and slave answers carry no requested state: what was asked
    // (or `started`, a proxy's answer for "unchanged") is the best knowledge.
    if (attributes._requested_state === undefined) attributes._requested_state = requestedState ?? 'started';
    return new ComputerPartition(connection, attributes);
  }

  /** The partition id (`slappart0`). */
  getId(): string {
    const id = textAttribute(this.attributes, '_partition_id', WHERE);
    if (!id) throw notReady('this partition is not allocated yet');
    return id;
  }

  /** The id of the computer the partition belongs to. */
  getComputerId(): string {
    const id = textAttribute(this.attributes, '_computer_id', WHERE);
    if (!id) throw notReady(`partition ${String(this.attributes._partition_id)} has no computer id`);
    return id;
  }

  /** The state the master wants the instance in: `started`, `stopped` or `destroyed`. */
  getState(): string {
    const state = textAttribute(this.attributes, '_requested_state', WHERE);
    if (!state) throw notReady(`partition ${this.getId()} has no requested state yet`);
    return state;
  }

  getInstanceGuid(): string {
    const guid = textAttribute(this.attributes, '_instance_guid', WHERE);
    if (!guid) throw notReady(`partition ${this.getId()} has no instance guid yet`);
    return guid;
  }

  /** The software type (`slap_software_type`). */
  getType(): string {
    const type = this.getInstanceParameterDict().slap_software_type ?? this.attributes.slap_software_type;
    if (typeof type !== 'string' || type === '') throw notReady(`partition ${this.getId()} has no software type yet`);
    return type;
  }

  /** Instance parameters (values are text, except the master's own keys such as `ip_list`). */
  getInstanceParameterDict(): MarshalDict {
    const dict = dictAttribute(this.attributes, '_parameter_dict', WHERE);
    if (dict) return dict;
    // 0.32 request answers carry the parameters as instance XML only.
    const xml = textAttribute(this.attributes, 'xml', WHERE);
    return xml ? xml2dict(xml) : emptyDict();
  }

  /** Connection parameters the instance published (text values). */
  getConnectionParameterDict(): MarshalDict {
    const dict = dictAttribute(this.attributes, '_connection_dict', WHERE);
    if (dict) return dict;
    // Old masters send the raw instance XML instead.
    const xml = textAttribute(this.attributes, 'connection_xml', WHERE);
    return xml ? xml2dict(xml) : emptyDict();
  }

  getInstanceParameter(key: string): MarshalValue {
    return valueOf(this.getInstanceParameterDict(), key);
  }

  getConnectionParameter(key: string): MarshalValue {
    return valueOf(this.getConnectionParameterDict(), key);
  }

  getSoftwareRelease(): SoftwareRelease {
    if (this.softwareRelease === undefined) throw notFound(`No software release information for partition ${this.getId()}`);
    return this.softwareRelease;
  }

  /** The master's last message about this instance's access (`_access_status`; masters only). */
  getAccessStatus(): MarshalValue | undefined {
    return this.attributes._access_status;
  }

  /** Request (or update) an instance from this partition: a child of its instance tree. */
  async request(request: InstanceRequest): Promise<ComputerPartition> {
    const form = requestForm(request, { computerId: this.getComputerId(), partitionId: this.getId() });
    await recordRequest(this.connection, this.getId(), request.partitionReference);
    return ComputerPartition.sendRequest(this.connection, form, request.state);
  }

  /** 0.32 masters only; 1.x proxies answer 404 (SLAP_ERR_NOT_FOUND). */
  async building(): Promise<void> { await this.report('buildingComputerPartition'); }
  /** 0.32 masters only; 1.x proxies answer 404 (SLAP_ERR_NOT_FOUND). */
  async available(): Promise<void> { await this.report('availableComputerPartition'); }
  async started(): Promise<void> { await this.report('startedComputerPartition'); }
  async stopped(): Promise<void> { await this.report('stoppedComputerPartition'); }
  async destroyed(): Promise<void> { await this.report('destroyedComputerPartition'); }

  async bang(message: string): Promise<void> {
    await this.report('softwareInstanceBang', { message });
  }

  async rename(newName: string, slaveReference?: string | null): Promise<void> {
    const extra: Record<string, string> = { new_name: newName };
    if (slaveReference) extra.slave_reference = slaveReference;
    await this.report('softwareInstanceRename', extra);
  }

  /**
   * Reports an error of the instance (or of one of its slaves). Never rejects
   * because of the master: the failed report is logged, and the node goes on.
   */
  async error(errorLog: string, logger?: Logger, slaveReference?: string | null): Promise<void> {
    const extra: Record<string, string> = { error_log: errorLog };
    if (slaveReference) extra.slave_reference = slaveReference;
    try {
      await this.report('softwareInstanceError', extra);
    } catch (error) {
      (logger ?? this.connection.logger).error('cannot report the instance error to the master', {
        partition: this.attributes._partition_id, code: (error as { code?: unknown }).code, reason: messageOf(error),
      });
    }
  }

  /**
   * Publishes connection parameters (of the instance, or of one of its slaves
   * with `slaveReference`). For the instance itself, nothing is sent when the
   * master already has exactly these values; afterwards this object shows the
   * published values.
   */
  async setConnectionDict(connectionDict: MarshalDict, slaveReference?: string | null): Promise<void> {
    if (!isDict(connectionDict)) throw invalidArgument('setConnectionDict: connectionDict must be a dictionary');
    const asStored = storedForm(connectionDict);
    const own = !slaveReference;
    if (own && asStored !== undefined && sameDict(asStored, this.getConnectionParameterDict())) return;
    await this.connection.transport.post('setComputerPartitionConnectionXml', {
      computer_id: this.getComputerId(),
      computer_partition_id: this.getId(),
      connection_xml: marshal(connectionDict),
      slave_reference: slaveReference || null,
    });
    if (own && asStored !== undefined) this.attributes._connection_dict = asStored;
  }

  async getCertificate(): Promise<PartitionCertificate> {
    const answer = await this.connection.transport.get('getComputerPartitionCertificate', this.ids());
    const dict = decodeAnswer(answer, 'getComputerPartitionCertificate');
    if (!isDict(dict) || typeof dict.key !== 'string' || typeof dict.certificate !== 'string') {
      throw unexpectedResponse('getComputerPartitionCertificate', `expected a dictionary with key and certificate, got ${describe(dict)}`);
    }
    return { key: dict.key, certificate: dict.certificate };
  }

  /** Addresses of the whole instance tree (masters only). */
  async getFullHostingIpAddressList(): Promise<MarshalValue[]> {
    const answer = await this.connection.transport.get('getHostingSubscriptionIpList', this.ids());
    const list = decodeAnswer(answer, 'getHostingSubscriptionIpList');
    if (!Array.isArray(list)) throw unexpectedResponse('getHostingSubscriptionIpList', `expected a list, got ${describe(list)}`);
    return list;
  }

  /** Declares the titles of the instances this one is related to (masters only). */
  async setComputerPartitionRelatedInstanceList(instanceReferenceList: string[]): Promise<void> {
    await this.report('updateComputerPartitionRelatedInstanceList', { instance_reference_xml: marshal(instanceReferenceList) });
  }

  private async report(endpoint: string, extra: Record<string, string> = {}): Promise<void> {
    await this.connection.transport.post(endpoint, { ...this.ids(), ...extra });
  }

  private ids(): { computer_id: string; computer_partition_id: string } {
    return { computer_id: this.getComputerId(), computer_partition_id: this.getId() };
  }
}

function softwareReleaseOf(connection: SlapConnection, attributes: MarshalDict): SoftwareRelease | undefined {
  const document = attributes._software_release_document;
  if (document instanceof PyObject) {
    return new SoftwareRelease(connection, documentOf(document, ['SoftwareRelease'], WHERE).attributes);
  }
  if (document !== undefined && document !== null) {
    throw unexpectedResponse(WHERE, `_software_release_document should be a SoftwareRelease, got ${describe(document)}`);
  }
  // A request answer names the release without the document.
  const url = textAttribute(attributes, 'slap_software_release_url', WHERE);
  if (document === undefined && url) {
    return SoftwareRelease.of(connection, url, textAttribute(attributes, 'slap_computer_id', WHERE) ?? undefined);
  }
  return undefined;
}

function requiredText(attributes: MarshalDict, name: string): string {
  const value = textAttribute(attributes, name, 'requestComputerPartition');
  if (typeof value !== 'string') throw unexpectedResponse('requestComputerPartition', `the answer has no ${name}`);
  return value;
}

function valueOf(dict: MarshalDict, key: string): MarshalValue {
  const value = dict[key];
  if (value === undefined) throw notFound(`${key} not found`);
  return value;
}

/**
 * The dictionary as the master will store and send it back (instance XML:
 * text values, '' read back as None), when that is certain: only for text
 * values, since the master's rendering of other types is Python's str().
 */
function storedForm(dict: MarshalDict): MarshalDict | undefined {
  const stored = emptyDict();
  for (const [key, value] of Object.entries(dict)) {
    if (typeof value !== 'string') return undefined;
    stored[key] = value === '' ? null : value;
  }
  return stored;
}

function sameDict(a: MarshalDict, b: MarshalDict): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && a[key] === b[key]);
}
