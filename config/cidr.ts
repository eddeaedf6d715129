/** IPv4 CIDR arithmetic for laying subnets out inside a VPC block, with no AWS lookup. */

/** One parsed IPv4 block. */
export interface Ipv4Block {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0..32. */
  readonly mask: number;
}

/** Parses `a.b.c.d/n`; throws a plain Error naming the value when it is not a CIDR block. */
export function parseCidr(cidr: string): Ipv4Block {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  const octets = match.slice(1, 5).map(Number);
  const mask = Number(match[5]);
  if (octets.some((o) => o > 255) || mask > 32) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - mask);
  if (address % size !== 0)
    throw new Error(
      `host bits set in ${cidr}: use ${formatCidr({ base: address - (address % size), mask })}`,
    );
  return { base: address, mask };
}

/** Formats a block back to `a.b.c.d/n`. */
export function formatCidr(block: Ipv4Block): string {
  const o = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
  return `${o.join('.')}/${block.mask}`;
}

/** Number of addresses in a block. */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.mask);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return (
    inner.mask >= outer.mask &&
    inner.base >= outer.base &&
    inner.base + blockSize(inner) <= outer.base + blockSize(outer)
  );
}

/** True when two blocks share any address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.base < b.base + blockSize(b) && b.base < a.base + blockSize(a);
}

/**
 * Allocates blocks of the given prefix lengths inside `vpc`, in order, each aligned to its own size.
 *
 * Returns null when they do not fit.
 */
export function allocate(vpc: Ipv4Block, masks: readonly number[]): Ipv4Block[] | null {
  let next = vpc.base;
  const end = vpc.base + blockSize(vpc);
  const out: Ipv4Block[] = [];
  for (const mask of masks) {
    const size = 2 ** (32 - mask);
    const base = Math.ceil(next / size) * size;
    if (mask < vpc.mask || base + size > end) return null;
    out.push({ base, mask });
    next = base + size;
  }
  return out;
}
