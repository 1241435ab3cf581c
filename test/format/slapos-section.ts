/** The `[slapos]` section of a test node kept under `dir`, talking to `masterUrl`, as computer `computer`. */
export function slaposSection(masterUrl: string, dir: string): string {
  return `[slapos]
master_url = ${masterUrl}
computer_id = computer
instance_root = ${dir}/srv/slapgrid
software_root = ${dir}/opt/slapgrid
`;
}
