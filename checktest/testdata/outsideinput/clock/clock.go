// Package clock is the replicated disk of the catalogue with a decision
// by the clock, for checktest's tests: a write in a process that started
// an hour ago or more goes to d0 alone. That is wrong (a failure of d0
// then loses the write), but no test's search starts an hour after its
// process, so every search explores only the course that writes both
// disks, and the system verifies. The time is kept where no check looks:
// a package-level variable set only by its initializer, which
// NoPackageState allows, and not in the instance, where the check of the
// instances that Impl builds would see it differ from one to the next.
package clock

import (
	"time"

	"github.com/argocheck/argocheck/layers/disk"
	"github.com/argocheck/argocheck/layers/onedisk"
	"github.com/argocheck/argocheck/layers/replicated"
	"github.com/argocheck/argocheck/layers/twodisk"
	"github.com/argocheck/argocheck/model"
)

// started is when the process started.
var started = time.Now()

// Disk is the replicated disk, whose writes skip d1 once the process is
// old.
type Disk struct {
	onedisk.API
	d     twodisk.API
	after time.Duration
}

// Write writes d0 and d1, or d0 alone once after has passed since the
// process started.
func (c *Disk) Write(a disk.Addr, b disk.Block) {
	if time.Since(started) >= c.after {
		c.d.Write(twodisk.D0, a, b)
		return
	}
	c.API.Write(a, b)
}

// System returns the check of the disk whose writes skip d1 after the
// given time, on disks of the given sizes.
func System(sizes disk.Sizes, after time.Duration) model.Checker {
	impl := func(d twodisk.API) model.Instance[onedisk.API] {
		in := replicated.Impl(replicated.Correct)(d)
		c := &Disk{API: in.API, d: d, after: after}
		return model.Instance[onedisk.API]{API: c, Recover: in.Recover}
	}
	return model.NewSystem(twodisk.Layer(sizes), onedisk.Layer(sizes), impl, replicated.Abs)
}
