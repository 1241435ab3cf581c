import { badParameter } from '../errors.ts';
import type { SoftwareState } from '../store/types.ts';
import { pythonRepr } from '../values.ts';
import { IGNORED, marshalled, text, type Endpoint, type EndpointTable } from './types.ts';

const SOFTWARE_STATES: readonly SoftwareState[] = ['available', 'destroyed'];

/**
 * The node's report on a software release: the original ignores it; we keep
 * the last one for `proxy show`, and still accept any POST (a report about
 * an unknown release, or without fields, changes nothing).
 */
function softwareReport(state: string): Endpoint {
  return {
    method: 'POST',
    async handle({ fields }, context) {
      const url = fields.reference('url');
      const computerId = fields.reference('computer_id');
      if (url && computerId) {
        const errorLog = state === 'error' ? fields.optional('error_log') ?? '' : null;
        await context.store.transaction((tx) => tx.reportSoftware(url, computerId, state, errorLog));
      }
      return IGNORED;
    },
  };
}

export const softwareEndpoints: EndpointTable = {
  supplySupply: {
    method: 'POST',
    async handle({ fields }, context) {
      const url = fields.identifier('url');
      const computerId = fields.identifier('computer_id');
      const state = fields.required('state');
      if (!(SOFTWARE_STATES as readonly string[]).includes(state)) {
        throw badParameter('state', `${JSON.stringify(state)} is not one of ${SOFTWARE_STATES.join(', ')}`);
      }
      await context.store.transaction((tx) => tx.supplySoftware(url, computerId, state as SoftwareState));
      return text(`Supplied ${pythonRepr(url)} to be ${state}`);
    },
  },

  destroyedSoftwareRelease: {
    method: 'POST',
    async handle({ fields }, context) {
      const url = fields.required('url');
      const computerId = fields.required('computer_id');
      await context.store.transaction((tx) => tx.deleteSoftware(url, computerId));
      return text('OK');
    },
  },

  buildingSoftwareRelease: softwareReport('building'),
  availableSoftwareRelease: softwareReport('available'),
  softwareReleaseError: softwareReport('error'),

  getSoftwareReleaseListFromSoftwareProduct: {
    method: 'GET',
    async handle({ fields }, context) {
      const product = fields.optional('software_product_reference');
      const url = fields.optional('software_release_url');
      if (url !== undefined) throw badParameter('software_release_url', 'not supported by the proxy; give software_product_reference');
      if (product === undefined) throw badParameter('software_product_reference', 'required');
      const found = context.softwareProducts.get(product);
      return marshalled(found === undefined ? [] : [found]);
    },
  },
};
