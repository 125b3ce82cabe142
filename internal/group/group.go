// Package group runs a search's goroutines as errgroup does, and fails
// the group when one of them ends without returning: runtime.Goexit
// (which testing's FailNow, Fatal and SkipNow call) ends a goroutine
// without a panic that recover sees, and errgroup takes such a goroutine
// for one that returned nil, so the states it was to expand would be
// silently left out.
package group

import (
	"context"
	"errors"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// ErrGoexit is the error of a group one of whose goroutines ended without
// returning.
var ErrGoexit = errors.New("layer code ended a goroutine of the search with runtime.Goexit (testing's FailNow, Fatal and SkipNow call it), so part of the state graph went unexplored: call them only from the test's own goroutine, after the check returns")

// A Group is a collection of goroutines working on one task.
type Group struct {
	g      *errgroup.Group
	cancel context.CancelCauseFunc
	exited atomic.Bool
}

// WithContext returns a Group and a context derived from ctx that is
// canceled when a goroutine of the group returns an error or ends without
// returning, or when Wait returns.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	g, ctx := errgroup.WithContext(ctx)
	return &Group{g: g, cancel: cancel}, ctx
}

// Go runs f on a goroutine of the group.
func (g *Group) Go(f func() error) {
	g.g.Go(func() error {
		returned := false
		defer func() {
			if !returned {
				g.exited.Store(true)
				g.cancel(ErrGoexit)
			}
		}()
		err := f()
		returned = true
		return err
	})
}

// Wait waits for the group's goroutines and returns ErrGoexit when one
// ended without returning, or else the first error one returned.
func (g *Group) Wait() error {
	err := g.g.Wait()
	g.cancel(nil)
	if g.exited.Load() {
		return ErrGoexit
	}
	return err
}
