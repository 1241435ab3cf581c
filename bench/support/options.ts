/** A command-line option that must be a positive whole number. */
export function positiveInteger(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${option} must be a positive integer, not ${JSON.stringify(text)}`);
  return value;
}
