import type { MarshalDict, MarshalValue } from '../slap/index.ts';

/**
 * A proxy has no frontend cluster. For the two frontend software releases
 * that profiles commonly request as slaves, the original answers a fake
 * partition whose connection parameters point straight at the backend, so
 * that promises pass on a laptop. Same URLs and rules here.
 */
const APACHE_FRONTEND = 'http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg';
const KVM_FRONTEND = 'http://git.erp5.org/gitweb/slapos.git/blob_plain/refs/tags/slapos-0.92:/software/kvm/software.cfg';
const APACHE_TYPES = ['', 'RootSoftwareInstance', 'default'];

export interface FakeFrontend {
  partitionId: string;
  connection: MarshalDict;
}

/** Python's `urlparse(url).netloc`: what lies between `//` and the next `/`, `?` or `#`. */
function netloc(url: string): string {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return match ? match[1]! : '';
}

function pyStr(value: MarshalValue): string {
  return typeof value === 'string' ? value : String(value);
}

export function fakeFrontend(softwareRelease: string, softwareType: string, parameters: MarshalDict): FakeFrontend | null {
  if (softwareRelease === APACHE_FRONTEND && APACHE_TYPES.includes(softwareType)) {
    const url = parameters.url;
    if (typeof url !== 'string' || url === '') return null;
    return { partitionId: `Fake frontend for ${url}`, connection: { secure_access: url, domain: netloc(url) } };
  }
  if (softwareRelease === KVM_FRONTEND && softwareType === 'frontend') {
    const { host, port } = parameters;
    if (!host || !port) return null;
    // An IPv6 host comes without brackets.
    const hostText = pyStr(host);
    const bracketed = hostText.includes(':') && !hostText.startsWith('[') ? `[${hostText}]` : hostText;
    const url = `https://${bracketed}:${pyStr(port)}/`;
    return { partitionId: `Fake KVM VNC frontend for ${url}`, connection: { url, domainname: bracketed, port, path: '/' } };
  }
  return null;
}
