/** A header as Node and undici hand it over: one value, several, or none. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
