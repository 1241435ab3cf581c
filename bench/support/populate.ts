import { Slap, marshal } from '../../src/slap/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { CallRecorder, type RecordedCall } from './recorder.ts';
import { BENCH_SOFTWARE_RELEASE, connectionParameters, formatDescription, instanceParameters, instanceTitle, partitionId } from './computer.ts';

/** The calls a populated computer's traffic is made of, recorded from the SLAP library. */
export interface ComputerWorkload {
  computerId: string;
  partitionCount: number;
  /** GET getFullComputerInformation, what every node run starts with. */
  fullInformation: RecordedCall;
  /** GET registerComputerPartition of each partition, what an instance's buildout asks. */
  registerPartition: RecordedCall[];
  /**
   * A user's requestComputerPartition for each instance, in two revisions of
   * its parameters: replaying the list round-robin, every call changes the
   * instance (revision 1, then 2, then 1, ...), so each is a real update.
   */
  requestUpdates: RecordedCall[];
  /** setComputerPartitionConnectionXml for each partition, in two revisions, the same way. */
  connectionUpdates: RecordedCall[];
  /** startedComputerPartition for each partition (the node's report). */
  startedReports: RecordedCall[];
}

/**
 * Registers a computer with `partitionCount` partitions on the master at
 * `masterUrl`, supplies one software release, requests one instance per
 * partition and publishes its connection parameters, all through the SLAP
 * library, and keeps the calls it made for replay.
 */
export async function populateComputer(masterUrl: string, computerId: string, partitionCount: number): Promise<ComputerWorkload> {
  const { recorder, url } = await CallRecorder.start(masterUrl);
  const slap = new Slap({ logger: silentLogger() });
  slap.initializeConnection(url);
  try {
    const computer = slap.registerComputer(computerId);
    await computer.updateConfiguration(marshal(formatDescription(computerId, partitionCount)));
    await slap.registerSupply().supply(BENCH_SOFTWARE_RELEASE, computerId);
    recorder.take();

    const revisions = [1, 2];
    const requests: RecordedCall[][] = revisions.map(() => []);
    for (let index = 0; index < partitionCount; index++) {
      for (const [slot, revision] of revisions.entries()) {
        await slap.registerOpenOrder().request({
          softwareRelease: BENCH_SOFTWARE_RELEASE,
          partitionReference: instanceTitle(computerId, index),
          partitionParameterKw: instanceParameters(index, revision),
          filterKw: { computer_guid: computerId },
        });
        requests[slot]!.push(recorder.takeOne());
      }
    }

    const registrations: RecordedCall[] = [];
    const connections: RecordedCall[][] = revisions.map(() => []);
    const started: RecordedCall[] = [];
    for (let index = 0; index < partitionCount; index++) {
      const partition = await slap.registerComputerPartition(computerId, partitionId(index));
      registrations.push(recorder.takeOne());
      for (const [slot, revision] of revisions.entries()) {
        await partition.setConnectionDict(connectionParameters(index, revision));
        connections[slot]!.push(recorder.takeOne());
      }
      await partition.started();
      started.push(recorder.takeOne());
    }

    const partitions = await computer.getComputerPartitionList();
    if (partitions.length !== partitionCount) throw new Error(`${computerId} has ${partitions.length} partitions, expected ${partitionCount}`);
    const fullInformation = recorder.takeOne();
    return {
      computerId,
      partitionCount,
      fullInformation,
      registerPartition: registrations,
      requestUpdates: requests.flat(),
      connectionUpdates: connections.flat(),
      startedReports: started,
    };
  } finally {
    await slap.close();
    await recorder.close();
  }
}
