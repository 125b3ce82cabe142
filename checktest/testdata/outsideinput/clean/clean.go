// Package clean is layer code that reads no input that argocheck's
// search does not choose, for checktest.NoOutsideInput: generators seeded
// by constants, a select that only waits, time's arithmetic, and reads
// that a marker excuses.
package clean

import (
	"log"
	"math/rand"
	randv2 "math/rand/v2"
	"time"
)

// Disk draws from generators that Impl builds, seeded by constants.
type Disk struct {
	rng     *rand.Rand
	r2      *randv2.Rand
	ready   chan int
	timeout time.Duration
}

// New builds a Disk, as Impl would.
func New(timeout time.Duration) *Disk {
	return &Disk{
		rng:     rand.New(rand.NewSource(1)),
		r2:      randv2.New(randv2.NewPCG(1, 2)),
		ready:   make(chan int, 1),
		timeout: timeout,
	}
}

// Pick draws from the instance's generators.
func (d *Disk) Pick() int {
	src := rand.NewSource(7)
	chacha := randv2.New(randv2.NewChaCha8([32]byte{1, 2}))
	zero := randv2.New(&randv2.PCG{})
	zipf := rand.NewZipf(d.rng, 2, 1, 10)
	return d.rng.Intn(3) + d.r2.IntN(3) + rand.New(src).Intn(2) + chacha.IntN(2) + zero.IntN(2) + int(zipf.Uint64())
}

// Wait waits for the one channel: nothing to pick among.
func (d *Disk) Wait() int {
	select {
	case v := <-d.ready:
		return v
	}
}

// Age computes with times it is given, and durations.
func (d *Disk) Age(t time.Time) time.Duration {
	if t.After(time.Unix(0, 0)) && !t.Before(time.Unix(1, 0)) {
		return t.Sub(time.Unix(0, 0)) + d.timeout + 2*time.Second
	}
	return d.timeout
}

// Log writes records whose timestamps decide nothing.
func (d *Disk) Log(op string, start time.Time) {
	log.Printf("%s at %v", op, time.Now()) //argocheck:outside-input-ok a log record's timestamp decides nothing
	//argocheck:outside-input-ok the duration is only logged
	log.Printf("%s took %v", op, time.Since(start))
}
