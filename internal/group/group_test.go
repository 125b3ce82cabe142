package group

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestWait(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		f    func(i int) error
		want error
	}{
		{"all return nil", func(int) error { return nil }, nil},
		{"one returns an error", func(i int) error {
			if i == 1 {
				return boom
			}
			return nil
		}, boom},
		{"one ends with Goexit", func(i int) error {
			if i == 2 {
				runtime.Goexit()
			}
			return nil
		}, ErrGoexit},
		{"one ends with Goexit, another returns an error", func(i int) error {
			switch i {
			case 0:
				runtime.Goexit()
			case 3:
				return boom
			}
			return nil
		}, ErrGoexit},
	} {
		g, ctx := WithContext(context.Background())
		for i := range 4 {
			g.Go(func() error { return tc.f(i) })
		}
		if err := g.Wait(); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: Wait returned %v, want %v", tc.name, err, tc.want)
		}
		if ctx.Err() == nil {
			t.Errorf("%s: the context is not canceled after Wait", tc.name)
		}
	}
}
