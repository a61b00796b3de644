/**
 * A random port for a test's sidecar to listen on, below Linux's ephemeral range (32768–60999 by default,
 * /proc/sys/net/ipv4/ip_local_port_range): ports above 32767 may already be held by the outgoing end of
 * some connection, and a source port that cannot be bound fails every call of the suite with ECONNREFUSED
 * (a fresh-clone run lost framing-corpus this way on port 33628). `count` consecutive ports fit below it.
 */
export function testPort(count = 1): number {
  return 20000 + Math.floor(Math.random() * (12000 - count));
}
