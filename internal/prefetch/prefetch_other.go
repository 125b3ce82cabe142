//go:build !amd64 && !arm64

package prefetch

func one(a uintptr) {}

func lines(addrs *uintptr, n int) {}
