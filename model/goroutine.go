package model

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
	"sync"

	"github.com/petermattis/goid"
)

// goroutineID returns the ID of the calling goroutine. A Machine takes
// calls from the goroutine running the procedure alone; telling which
// goroutine calls costs a few loads, where guarding every call with an
// atomic exchange would cost a memory fence each.
func goroutineID() int64 { return goid.Get() }

// goroutineIDs checks, once, that goroutineID tells goroutines apart and
// agrees with the runtime's own account of them (a Go release that
// changed the goroutine's layout would break it).
var goroutineIDs = sync.OnceValue(func() error {
	mine := goroutineID()
	other := make(chan int64)
	go func() { other <- goroutineID() }()
	if theirs := <-other; mine <= 0 || theirs == mine || mine != stackID() || goroutineID() != mine {
		return errors.New("model: this Go release's goroutines cannot be told apart; build argocheck with a release its go.mod supports")
	}
	return nil
})

// stackID returns the calling goroutine's ID as runtime.Stack prints it
// ("goroutine 18 [running]:").
func stackID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf, _ = bytes.CutPrefix(buf, []byte("goroutine "))
	if i := bytes.IndexByte(buf, ' '); i > 0 {
		buf = buf[:i]
	}
	id, err := strconv.ParseInt(string(buf), 10, 64)
	if err != nil {
		return -1
	}
	return id
}
