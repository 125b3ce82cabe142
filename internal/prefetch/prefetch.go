// Package prefetch asks the processor to bring memory into its caches
// ahead of use, so that the cache misses of hash table probes overlap
// with other work instead of stalling it. The requests are hints: they
// never fault, whatever the address (stale, unmapped or nil), and change
// no memory. On architectures without an implementation they do nothing.
package prefetch

// One asks for the cache line holding the byte at address a.
func One(a uintptr) { one(a) }

// Lines asks for the cache line holding the byte at each of addrs.
func Lines(addrs []uintptr) {
	if len(addrs) > 0 {
		lines(&addrs[0], len(addrs))
	}
}
